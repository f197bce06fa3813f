with

source as (
    select * from {{ source('raw', 'quarantine') }}
),

renamed as (
    select
        source,
        source_row,
        file_name,
        -- The reason's kind only ("field count", "blank line"): details may quote the row.
        split_part(reason, ':', 1) as reason
    from source
)

select * from renamed
