-- ticket_replies: one row per public staff reply of a ticket that is not deleted.
-- Definitions: sql/README.md. Each reply answers the earliest contact message since the
-- previous public staff reply; the first reply answers the ticket's creation (so its reply
-- time is the ticket's first response time). A staff follow-up with no contact message
-- since the previous reply answers nothing: its answered_* and reply times are null.
-- Smart-rule messages and system updates are neither replies nor contact messages.
WITH live_tickets AS (
    SELECT id, created_at
    FROM {{ raw }}.tickets
    WHERE NOT COALESCE(is_deleted, FALSE)
),
marks AS (
    -- staff replies and contact replies in order; for a contact reply the running count
    -- of staff replies up to it is the number of staff replies before it
    SELECT
        ticket_id,
        update_index,
        is_public_staff_reply,
        SUM(CASE WHEN is_public_staff_reply THEN 1 ELSE 0 END) OVER (
            PARTITION BY ticket_id ORDER BY update_index NULLS FIRST
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS staff_replies_so_far
    FROM {{ reporting }}.int_ticket_updates
    WHERE is_public_staff_reply OR is_contact_reply
),
waiting AS (
    -- the earliest contact reply after the n-th staff reply (n = staff_replies_so_far)
    SELECT ticket_id, staff_replies_so_far, MIN(update_index) AS answered_update_index
    FROM marks
    WHERE NOT is_public_staff_reply
    GROUP BY ticket_id, staff_replies_so_far
),
replies AS (
    SELECT
        ticket_id,
        update_index,
        updated_at,
        updated_date,
        updated_business_seconds,
        author_id,
        author_name,
        ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY update_index) AS reply_number
    FROM {{ reporting }}.int_ticket_updates
    WHERE is_public_staff_reply
),
created AS (
    SELECT
        t.id AS ticket_id,
        t.created_at,
        c.business_seconds_before
            + CASE WHEN c.is_business THEN EXTRACT(EPOCH FROM t.created_at) - EXTRACT(EPOCH FROM c.segment_start) ELSE 0 END
            AS created_business_seconds
    FROM live_tickets AS t
    LEFT JOIN {{ settings }}.settings_business_calendar AS c
        ON c.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM t.created_at) / 86400) AS BIGINT)
       AND c.segment_start <= t.created_at AND t.created_at < c.segment_end
),
answered AS (
    SELECT
        r.*,
        CASE WHEN r.reply_number = 1 THEN CAST(0 AS BIGINT) ELSE w.answered_update_index END AS answered_update_index,
        CASE WHEN r.reply_number = 1 THEN c.created_at ELSE m.updated_at END AS answered_at,
        CASE WHEN r.reply_number = 1 THEN c.created_business_seconds ELSE m.updated_business_seconds END AS answered_business_seconds
    FROM replies AS r
    JOIN created AS c ON c.ticket_id = r.ticket_id
    LEFT JOIN waiting AS w
        ON w.ticket_id = r.ticket_id AND w.staff_replies_so_far = r.reply_number - 1 AND r.reply_number > 1
    LEFT JOIN {{ reporting }}.int_ticket_updates AS m
        ON m.ticket_id = w.ticket_id AND m.update_index = w.answered_update_index
)
SELECT
    a.ticket_id,
    a.update_index,
    CAST(a.reply_number AS BIGINT) AS reply_number,
    (a.reply_number = 1) AS is_first_reply,
    a.updated_at AS replied_at,
    a.updated_date AS replied_day,
    a.author_id AS responder_id,
    COALESCE(s.name, a.author_name) AS responder_name,
    a.answered_update_index,
    a.answered_at,
    CAST((EXTRACT(EPOCH FROM a.updated_at) - EXTRACT(EPOCH FROM a.answered_at)) / 60 AS DECIMAL(18, 2)) AS reply_minutes,
    CAST((a.updated_business_seconds - a.answered_business_seconds) / 60 AS DECIMAL(18, 2)) AS reply_business_minutes
FROM answered AS a
LEFT JOIN {{ raw }}.staff AS s ON s.id = a.author_id
