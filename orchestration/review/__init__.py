"""People in the loop: the clerical review of doubtful matches, its decisions, and the audit log of them."""
