{#
    The column of each extract's file behind a staged field whose name differs from it (docs/landing_contract.md),
    as rows (source, field, column_name): the cell reports of int_cells__rejected and int_cells__reformatted name the
    column the Dinas finds in the file. A field not listed has the file's own name.
#}
{% macro file_column_names() -%}
    select * from (values
        ('dtks', 'nik', 'nomor_nik'),
        ('dtks', 'no_kk', 'nomor_kk'),
        ('dtks', 'nama', 'nama'),
        ('p3ke', 'nama', 'nama_lengkap'),
        ('p3ke', 'kode_kelurahan', 'kode_kemendagri'),
        ('p3ke', 'desil', 'desil_kesejahteraan'),
        ('carik', 'nama', 'nama_lengkap'),
        ('dukcapil_kematian', 'nik', 'NIK'),
        ('dukcapil_kematian', 'tanggal_lahir', 'TGL_LHR'),
        ('dukcapil_kematian', 'tanggal_kematian', 'TGL_KEMATIAN'),
        ('dukcapil_pindah', 'nik', 'NIK'),
        ('dukcapil_pindah', 'tanggal_pindah', 'TGL_PINDAH')
    ) as t (source, field, column_name)
{%- endmacro %}
