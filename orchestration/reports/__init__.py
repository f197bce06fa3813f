"""Internal reports of a quarter for the Dinas Sosial (they hold no NIK or name)."""
