-- ticket_custom_field_history: one row per ticket per custom field per interval during
-- which the field held a non-empty value, from the change history
-- (ticket_custom_field_changes), for tickets that are not deleted.
-- Before its first change a field held that change's from_value, since the ticket's
-- creation; each change sets to_value from its timestamp until the next change of the
-- same field. A field with a current value but no recorded change has held it since the
-- ticket's creation. Empty values ('') are gaps, not rows. The current interval has
-- valid_to null.
WITH live_tickets AS (
    SELECT id, created_at
    FROM {{ raw }}.tickets
    WHERE NOT COALESCE(is_deleted, FALSE)
),
changes AS (
    SELECT
        c.ticket_id,
        c.field_id,
        c.field_name,
        c.update_index,
        c.timestamp AS changed_at,
        NULLIF(c.from_value, '') AS from_value,
        NULLIF(c.to_value, '') AS to_value,
        ROW_NUMBER() OVER (
            PARTITION BY c.ticket_id, c.field_id ORDER BY c.update_index, c.timestamp
        ) AS change_number
    FROM {{ raw }}.ticket_custom_field_changes AS c
    JOIN live_tickets AS t ON t.id = c.ticket_id
),
intervals AS (
    -- the value before the first change, since creation
    SELECT
        c.ticket_id,
        c.field_id,
        c.field_name,
        0 AS change_number,
        CAST(NULL AS BIGINT) AS set_in_update_index,
        t.created_at AS valid_from,
        c.from_value AS value
    FROM changes AS c
    JOIN live_tickets AS t ON t.id = c.ticket_id
    WHERE c.change_number = 1
    UNION ALL
    -- each change
    SELECT ticket_id, field_id, field_name, change_number, update_index, changed_at, to_value
    FROM changes
    UNION ALL
    -- fields never changed: their current value, since creation
    SELECT
        v.ticket_id,
        v.field_id,
        v.field_name,
        0,
        CAST(NULL AS BIGINT),
        t.created_at,
        NULLIF(v.value, '')
    FROM {{ raw }}.ticket_custom_field_values AS v
    JOIN live_tickets AS t ON t.id = v.ticket_id
    WHERE NOT EXISTS (
        SELECT 1 FROM changes AS c WHERE c.ticket_id = v.ticket_id AND c.field_id = v.field_id
    )
),
bounded AS (
    SELECT
        *,
        LEAD(valid_from) OVER (PARTITION BY ticket_id, field_id ORDER BY change_number) AS valid_to
    FROM intervals
)
SELECT
    b.ticket_id,
    b.field_id,
    COALESCE(f.name, b.field_name) AS field_name,
    f.type AS field_type,
    b.value,
    b.valid_from,
    b.valid_to,
    (b.valid_to IS NULL) AS is_current,
    b.set_in_update_index
FROM bounded AS b
LEFT JOIN {{ raw }}.ticket_custom_fields AS f ON f.id = b.field_id
WHERE b.value IS NOT NULL
