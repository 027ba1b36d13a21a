-- agent_daily_activity: one row per staff member per day (UTC) on which they authored
-- at least one update of a ticket that is not deleted. Definitions: sql/README.md.
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
        changed_by_id AS staff_id,
        CAST(valid_from AT TIME ZONE 'UTC' AS DATE) AS activity_date,
        COUNT(DISTINCT ticket_id) AS tickets_resolved
    FROM {{ reporting }}.ticket_status_history
    WHERE is_resolution AND changed_by_type = 'staff' AND changed_by_id IS NOT NULL
    GROUP BY changed_by_id, CAST(valid_from AT TIME ZONE 'UTC' AS DATE)
),
first_responses AS (
    SELECT
        first_staff_reply_by_id AS staff_id,
        CAST(first_staff_reply_at AT TIME ZONE 'UTC' AS DATE) AS activity_date,
        COUNT(*) AS first_responses,
        MEDIAN(first_response_minutes) AS median_first_response_minutes
    FROM {{ reporting }}.ticket_metrics
    WHERE first_staff_reply_by_id IS NOT NULL
    GROUP BY first_staff_reply_by_id, CAST(first_staff_reply_at AT TIME ZONE 'UTC' AS DATE)
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
    CAST(f.median_first_response_minutes AS DECIMAL(18, 2)) AS median_first_response_minutes
FROM activity AS a
LEFT JOIN resolutions AS r ON r.staff_id = a.staff_id AND r.activity_date = a.activity_date
LEFT JOIN first_responses AS f ON f.staff_id = a.staff_id AND f.activity_date = a.activity_date
LEFT JOIN {{ raw }}.staff AS s ON s.id = a.staff_id
