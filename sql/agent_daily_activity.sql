-- agent_daily_activity: one row per staff member per local day (reporting time zone) on
-- which they authored at least one update of a ticket that is not deleted. Definitions:
-- sql/README.md. Only staff authors count: smart-rule and system updates are no one's
-- activity.
WITH staff_updates AS (
    SELECT *
    FROM {{ reporting }}.int_ticket_updates
    WHERE author_type = 'staff' AND author_id IS NOT NULL
),
activity AS (
    SELECT
        author_id AS staff_id,
        updated_date AS activity_date,
        MAX(author_name) AS author_name,
        COUNT(CASE WHEN is_public_staff_reply THEN 1 END) AS public_replies,
        COUNT(CASE WHEN is_private_note THEN 1 END) AS private_notes,
        COUNT(DISTINCT ticket_id) AS tickets_touched,
        SUM(COALESCE(time_spent, 0)) AS time_spent_minutes
    FROM staff_updates
    GROUP BY author_id, updated_date
),
resolutions AS (
    SELECT
        h.changed_by_id AS staff_id,
        c.local_day AS activity_date,
        COUNT(DISTINCT h.ticket_id) AS tickets_resolved
    FROM {{ reporting }}.ticket_status_history AS h
    JOIN {{ settings }}.settings_business_calendar AS c
        ON c.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM h.valid_from) / 86400) AS BIGINT)
       AND c.segment_start <= h.valid_from AND h.valid_from < c.segment_end
    WHERE h.is_resolution AND h.changed_by_type = 'staff' AND h.changed_by_id IS NOT NULL
    GROUP BY h.changed_by_id, c.local_day
),
first_responses AS (
    -- a ticket's first reply answers its creation: its reply time is the first response time
    SELECT
        responder_id AS staff_id,
        replied_day AS activity_date,
        COUNT(*) AS first_responses,
        MEDIAN(reply_minutes) AS median_first_response_minutes,
        MEDIAN(reply_business_minutes) AS median_first_response_business_minutes
    FROM {{ reporting }}.ticket_replies
    WHERE is_first_reply AND responder_id IS NOT NULL
    GROUP BY responder_id, replied_day
)
SELECT
    a.staff_id,
    COALESCE(s.name, a.author_name) AS staff_name,
    a.activity_date,
    CAST(a.public_replies AS BIGINT) AS public_replies,
    CAST(a.private_notes AS BIGINT) AS private_notes,
    CAST(a.tickets_touched AS BIGINT) AS tickets_touched,
    CAST(COALESCE(r.tickets_resolved, 0) AS BIGINT) AS tickets_resolved,
    CAST(a.time_spent_minutes AS BIGINT) AS time_spent_minutes,
    CAST(COALESCE(f.first_responses, 0) AS BIGINT) AS first_responses,
    CAST(f.median_first_response_minutes AS DECIMAL(18, 2)) AS median_first_response_minutes,
    CAST(f.median_first_response_business_minutes AS DECIMAL(18, 2)) AS median_first_response_business_minutes
FROM activity AS a
LEFT JOIN resolutions AS r ON r.staff_id = a.staff_id AND r.activity_date = a.activity_date
LEFT JOIN first_responses AS f ON f.staff_id = a.staff_id AND f.activity_date = a.activity_date
LEFT JOIN {{ raw }}.staff AS s ON s.id = a.staff_id
