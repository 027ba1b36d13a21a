-- daily_backlog: one row per local day (reporting time zone) x category x priority x
-- status with at least one non-zero measure, from the first day a ticket was created (or
-- the first of the last `backlog_days` days) to the latest day present in the data (the
-- last day any ticket was created or updated), never to "today". Open counts are running
-- sums of +1/-1 changes per combination, so the cost grows with days x combinations,
-- never with tickets x days.
--   tickets_open_at_end_of_day: tickets whose state after the day's last event (from the
--     history, not from the current state) is this pending status, priority and category.
--   tickets_created: tickets created that day, by their category, priority and status at creation.
--   tickets_resolved: tickets that entered a completed status from a pending one that day,
--     by the completed status entered and the category and priority at that moment.
WITH bounds AS (
    SELECT
        MIN(valid_from_day) AS first_day,
        MAX(valid_from_day) AS last_state_day
    FROM {{ reporting }}.int_ticket_state_history
),
last_day AS (
    SELECT GREATEST(b.last_state_day, COALESCE(u.last_update_day, b.last_state_day)) AS last_day
    FROM bounds AS b
    CROSS JOIN (SELECT MAX(updated_date) AS last_update_day FROM {{ reporting }}.int_ticket_updates) AS u
),
calendar AS (
    -- the local days of the window: from the first day (or, with backlog_days = N > 0,
    -- the N-th day before the last) to the last day
    SELECT d.day
    FROM {{ settings }}.settings_local_days AS d
    CROSS JOIN bounds AS b
    CROSS JOIN last_day AS l
    CROSS JOIN {{ settings }}.settings_reporting AS r
    WHERE d.day >= b.first_day
      AND d.day <= l.last_day
      AND (r.backlog_days = 0 OR d.day > CAST(l.last_day - CAST(r.backlog_days AS INTEGER) AS DATE))
),
window_start AS (
    SELECT MIN(day) AS first_day FROM calendar
),
states AS (
    SELECT
        ticket_id,
        valid_from_day AS from_day,
        valid_to_day AS to_day,
        valid_to IS NULL AS is_current,
        changed_in_update_index,
        status_id,
        priority_id,
        category_id,
        is_completed,
        LAG(is_completed) OVER (PARTITION BY ticket_id ORDER BY changed_in_update_index NULLS FIRST) AS previous_is_completed
    FROM {{ reporting }}.int_ticket_state_history
),
-- an open interval counts at the end of every day from from_day to the day before to_day:
-- +1 on from_day, -1 on to_day, then a running sum
open_deltas AS (
    SELECT from_day AS day, category_id, priority_id, status_id, 1 AS delta
    FROM states
    WHERE NOT is_completed AND (is_current OR to_day > from_day)
    UNION ALL
    SELECT to_day, category_id, priority_id, status_id, -1
    FROM states
    WHERE NOT is_completed AND NOT is_current AND to_day > from_day
),
open_changes AS (
    SELECT day, category_id, priority_id, status_id, SUM(delta) AS delta
    FROM open_deltas
    GROUP BY day, category_id, priority_id, status_id
),
open_runs AS (
    SELECT
        day,
        LEAD(day) OVER (PARTITION BY category_id, priority_id, status_id ORDER BY day) AS next_day,
        category_id,
        priority_id,
        status_id,
        SUM(delta) OVER (
            PARTITION BY category_id, priority_id, status_id ORDER BY day NULLS FIRST
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS open_count
    FROM open_changes
),
measures AS (
    SELECT c.day, r.category_id, r.priority_id, r.status_id,
           r.open_count AS open_count, 0 AS created_count, 0 AS resolved_count
    FROM open_runs AS r
    JOIN calendar AS c ON c.day >= r.day AND (r.next_day IS NULL OR c.day < r.next_day)
    WHERE r.open_count <> 0
    UNION ALL
    SELECT from_day, category_id, priority_id, status_id, 0, COUNT(DISTINCT ticket_id), 0
    FROM states
    CROSS JOIN window_start AS w
    WHERE changed_in_update_index IS NULL AND from_day >= w.first_day
    GROUP BY from_day, category_id, priority_id, status_id
    UNION ALL
    SELECT from_day, category_id, priority_id, status_id, 0, 0, COUNT(DISTINCT ticket_id)
    FROM states
    CROSS JOIN window_start AS w
    WHERE is_completed AND NOT COALESCE(previous_is_completed, FALSE) AND from_day >= w.first_day
    GROUP BY from_day, category_id, priority_id, status_id
),
totals AS (
    SELECT
        day,
        category_id,
        priority_id,
        status_id,
        SUM(open_count) AS tickets_open_at_end_of_day,
        SUM(created_count) AS tickets_created,
        SUM(resolved_count) AS tickets_resolved
    FROM measures
    GROUP BY day, category_id, priority_id, status_id
)
SELECT
    t.day,
    t.category_id,
    c.name AS category_name,
    t.priority_id,
    p.name AS priority_name,
    t.status_id,
    s.name AS status_name,
    s.behavior AS status_behavior,
    CAST(t.tickets_open_at_end_of_day AS BIGINT) AS tickets_open_at_end_of_day,
    CAST(t.tickets_created AS BIGINT) AS tickets_created,
    CAST(t.tickets_resolved AS BIGINT) AS tickets_resolved
FROM totals AS t
LEFT JOIN {{ raw }}.categories AS c ON c.id = t.category_id
LEFT JOIN {{ raw }}.priorities AS p ON p.id = t.priority_id
LEFT JOIN {{ raw }}.statuses AS s ON s.id = t.status_id
