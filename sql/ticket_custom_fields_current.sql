-- ticket_custom_fields_current: the current value of each custom field of each ticket
-- that is not deleted, one row per ticket per field, with the field's name and type
-- (from the field definitions, or as recorded on the value when the field is no longer
-- defined). An empty value ('') is null. Multiple choice values stay comma-separated text.
SELECT
    v.ticket_id,
    v.field_id,
    COALESCE(f.name, v.field_name) AS field_name,
    COALESCE(f.type, v.type) AS field_type,
    NULLIF(v.value, '') AS value,
    CAST(v.value_id AS VARCHAR) AS value_id
FROM {{ raw }}.ticket_custom_field_values AS v
JOIN {{ raw }}.tickets AS t ON t.id = v.ticket_id AND NOT COALESCE(t.is_deleted, FALSE)
LEFT JOIN {{ raw }}.ticket_custom_fields AS f ON f.id = v.field_id
