-- Helper model (not part of the reporting contract): one row per ticket per interval
-- during which its status, priority and category all stayed the same.
-- At creation each attribute has the `old` value of its first change, or, if it never
-- changed, the ticket's current value (the same rule as ticket_status_history). Every
-- update that changes any of the three opens a new interval at its timestamp.
-- The first interval (changed_in_update_index null) holds the state at creation.
WITH live_tickets AS (
    SELECT id, created_at, status_id, priority_id, category_id
    FROM {{ raw }}.tickets
    WHERE NOT COALESCE(is_deleted, FALSE)
),
events AS (
    SELECT
        ticket_id,
        update_index,
        updated_at,
        status_change__old,
        status_change__new,
        priority_change__old,
        priority_change__new,
        category_change__old,
        category_change__new,
        ROW_NUMBER() OVER (
            PARTITION BY ticket_id, (status_change__new IS NOT NULL) ORDER BY update_index
        ) AS status_change_number,
        ROW_NUMBER() OVER (
            PARTITION BY ticket_id, (priority_change__new IS NOT NULL) ORDER BY update_index
        ) AS priority_change_number,
        ROW_NUMBER() OVER (
            PARTITION BY ticket_id, (category_change__new IS NOT NULL) ORDER BY update_index
        ) AS category_change_number
    FROM {{ reporting }}.int_ticket_updates
    WHERE status_change__new IS NOT NULL
       OR priority_change__new IS NOT NULL
       OR category_change__new IS NOT NULL
),
firsts AS (
    SELECT
        ticket_id,
        MAX(CASE WHEN status_change__new IS NOT NULL AND status_change_number = 1 THEN 1 ELSE 0 END) AS has_status_change,
        MAX(CASE WHEN status_change__new IS NOT NULL AND status_change_number = 1 THEN status_change__old END) AS first_status_old,
        MAX(CASE WHEN priority_change__new IS NOT NULL AND priority_change_number = 1 THEN 1 ELSE 0 END) AS has_priority_change,
        MAX(CASE WHEN priority_change__new IS NOT NULL AND priority_change_number = 1 THEN priority_change__old END) AS first_priority_old,
        MAX(CASE WHEN category_change__new IS NOT NULL AND category_change_number = 1 THEN 1 ELSE 0 END) AS has_category_change,
        MAX(CASE WHEN category_change__new IS NOT NULL AND category_change_number = 1 THEN category_change__old END) AS first_category_old
    FROM events
    GROUP BY ticket_id
),
steps AS (
    -- the state at creation
    SELECT
        t.id AS ticket_id,
        CAST(-1 AS BIGINT) AS update_index,
        t.created_at AS valid_from,
        CASE WHEN COALESCE(f.has_status_change, 0) = 1 THEN f.first_status_old ELSE t.status_id END AS status_id,
        CASE WHEN COALESCE(f.has_priority_change, 0) = 1 THEN f.first_priority_old ELSE t.priority_id END AS priority_id,
        CASE WHEN COALESCE(f.has_category_change, 0) = 1 THEN f.first_category_old ELSE t.category_id END AS category_id,
        TRUE AS sets_status,
        TRUE AS sets_priority,
        TRUE AS sets_category
    FROM live_tickets AS t
    LEFT JOIN firsts AS f ON f.ticket_id = t.id
    UNION ALL
    SELECT
        ticket_id,
        update_index,
        updated_at,
        status_change__new,
        priority_change__new,
        category_change__new,
        status_change__new IS NOT NULL,
        priority_change__new IS NOT NULL,
        category_change__new IS NOT NULL
    FROM events
),
grouped AS (
    -- each attribute keeps the value of the last step that set it: number the steps
    -- that set it, and every step belongs to the group of the last one
    SELECT
        *,
        SUM(CASE WHEN sets_status THEN 1 ELSE 0 END) OVER (PARTITION BY ticket_id ORDER BY update_index NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS status_group,
        SUM(CASE WHEN sets_priority THEN 1 ELSE 0 END) OVER (PARTITION BY ticket_id ORDER BY update_index NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS priority_group,
        SUM(CASE WHEN sets_category THEN 1 ELSE 0 END) OVER (PARTITION BY ticket_id ORDER BY update_index NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS category_group
    FROM steps
),
filled AS (
    SELECT
        ticket_id,
        update_index,
        valid_from,
        MAX(CASE WHEN sets_status THEN status_id END) OVER (PARTITION BY ticket_id, status_group) AS status_id,
        MAX(CASE WHEN sets_priority THEN priority_id END) OVER (PARTITION BY ticket_id, priority_group) AS priority_id,
        MAX(CASE WHEN sets_category THEN category_id END) OVER (PARTITION BY ticket_id, category_group) AS category_id
    FROM grouped
),
intervals AS (
    SELECT
        f.ticket_id,
        CASE WHEN f.update_index < 0 THEN NULL ELSE f.update_index END AS changed_in_update_index,
        f.valid_from,
        LEAD(f.valid_from) OVER (PARTITION BY f.ticket_id ORDER BY f.update_index) AS valid_to,
        f.status_id,
        COALESCE(s.behavior = 'completed', FALSE) AS is_completed,
        f.priority_id,
        f.category_id
    FROM filled AS f
    LEFT JOIN {{ raw }}.statuses AS s ON s.id = f.status_id
)
-- valid_from_day / valid_to_day: the local days (reporting time zone) of the bounds
SELECT
    i.ticket_id,
    i.changed_in_update_index,
    i.valid_from,
    i.valid_to,
    cf.local_day AS valid_from_day,
    ct.local_day AS valid_to_day,
    i.status_id,
    i.is_completed,
    i.priority_id,
    i.category_id
FROM intervals AS i
LEFT JOIN {{ settings }}.settings_business_calendar AS cf
    ON cf.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM i.valid_from) / 86400) AS BIGINT)
   AND cf.segment_start <= i.valid_from AND i.valid_from < cf.segment_end
LEFT JOIN {{ settings }}.settings_business_calendar AS ct
    ON ct.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM i.valid_to) / 86400) AS BIGINT)
   AND ct.segment_start <= i.valid_to AND i.valid_to < ct.segment_end
