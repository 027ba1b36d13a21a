-- ticket_metrics: one row per ticket that is not deleted. Definitions: sql/README.md.
WITH live_tickets AS (
    SELECT *
    FROM {{ raw }}.tickets
    WHERE NOT COALESCE(is_deleted, FALSE)
),
update_facts AS (
    SELECT
        ticket_id,
        MIN(CASE WHEN is_public_staff_reply THEN updated_at END) AS first_staff_reply_at,
        COUNT(CASE WHEN is_public_staff_reply THEN 1 END) AS staff_reply_count,
        COUNT(CASE WHEN is_contact_reply THEN 1 END) AS contact_reply_count,
        COUNT(CASE WHEN is_private_note THEN 1 END) AS private_note_count,
        COUNT(CASE WHEN is_assignee_change THEN 1 END) AS assignee_change_count,
        SUM(time_spent) AS update_time_spent
    FROM {{ reporting }}.int_ticket_updates
    GROUP BY ticket_id
),
first_reply AS (
    SELECT ticket_id, author_id AS first_staff_reply_by_id
    FROM (
        SELECT
            ticket_id,
            author_id,
            ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY update_index) AS n
        FROM {{ reporting }}.int_ticket_updates
        WHERE is_public_staff_reply
    ) AS r
    WHERE n = 1
),
latest_rating AS (
    SELECT ticket_id, satisfaction_rating AS latest_satisfaction_rating
    FROM (
        SELECT
            ticket_id,
            satisfaction_rating,
            ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY update_index DESC) AS n
        FROM {{ reporting }}.int_ticket_updates
        WHERE satisfaction_rating IS NOT NULL
    ) AS r
    WHERE n = 1
),
assignees AS (
    -- every staff member the ticket was ever assigned to: the assignee at creation (the
    -- `old` of the first assignee change), every `new` assignee, and the current one
    SELECT ticket_id, COUNT(DISTINCT assignee_id) AS distinct_assignee_count
    FROM (
        SELECT ticket_id, assignee_id
        FROM (
            SELECT
                ticket_id,
                assignee_change__old AS assignee_id,
                ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY update_index) AS n
            FROM {{ reporting }}.int_ticket_updates
            WHERE is_assignee_change
        ) AS first_change
        WHERE n = 1
        UNION ALL
        SELECT ticket_id, assignee_change__new
        FROM {{ reporting }}.int_ticket_updates
        WHERE is_assignee_change
        UNION ALL
        SELECT id, assignee_id
        FROM live_tickets
    ) AS a
    GROUP BY ticket_id
),
status_facts AS (
    SELECT
        ticket_id,
        MIN(CASE WHEN is_resolution THEN valid_from END) AS first_resolved_at,
        MAX(CASE WHEN is_resolution THEN valid_from END) AS last_resolved_at,
        COUNT(CASE WHEN is_reopen THEN 1 END) AS reopen_count
    FROM {{ reporting }}.ticket_status_history
    GROUP BY ticket_id
),
joined AS (
    SELECT
        t.id AS ticket_id,
        t.display_id,
        t.subject,
        t.created_at,
        t.status_id,
        s.name AS status_name,
        s.behavior AS status_behavior,
        COALESCE(s.behavior = 'completed', FALSE) AS is_resolved,
        t.priority_id,
        p.name AS priority_name,
        t.category_id,
        c.name AS category_name,
        t.assignee_id,
        st.name AS assignee_name,
        t.contact_id,
        ct.name AS contact_name,
        t.due_date,
        uf.first_staff_reply_at,
        fr.first_staff_reply_by_id,
        sf.first_resolved_at,
        sf.last_resolved_at,
        COALESCE(sf.reopen_count, 0) AS reopen_count,
        COALESCE(uf.staff_reply_count, 0) AS staff_reply_count,
        COALESCE(uf.contact_reply_count, 0) AS contact_reply_count,
        COALESCE(uf.private_note_count, 0) AS private_note_count,
        COALESCE(uf.assignee_change_count, 0) AS assignee_change_count,
        COALESCE(a.distinct_assignee_count, 0) AS distinct_assignee_count,
        COALESCE(t.time_spent, uf.update_time_spent, 0) AS time_spent_minutes,
        lr.latest_satisfaction_rating
    FROM live_tickets AS t
    LEFT JOIN {{ raw }}.statuses AS s ON s.id = t.status_id
    LEFT JOIN {{ raw }}.priorities AS p ON p.id = t.priority_id
    LEFT JOIN {{ raw }}.categories AS c ON c.id = t.category_id
    LEFT JOIN {{ raw }}.staff AS st ON st.id = t.assignee_id
    LEFT JOIN {{ raw }}.contacts AS ct ON ct.id = t.contact_id
    LEFT JOIN update_facts AS uf ON uf.ticket_id = t.id
    LEFT JOIN first_reply AS fr ON fr.ticket_id = t.id
    LEFT JOIN latest_rating AS lr ON lr.ticket_id = t.id
    LEFT JOIN assignees AS a ON a.ticket_id = t.id
    LEFT JOIN status_facts AS sf ON sf.ticket_id = t.id
)
SELECT
    ticket_id,
    display_id,
    subject,
    created_at,
    first_staff_reply_at,
    first_staff_reply_by_id,
    CAST((EXTRACT(EPOCH FROM first_staff_reply_at) - EXTRACT(EPOCH FROM created_at)) / 60 AS DECIMAL(18, 2)) AS first_response_minutes,
    first_resolved_at,
    last_resolved_at,
    CASE
        WHEN is_resolved
        THEN CAST((EXTRACT(EPOCH FROM last_resolved_at) - EXTRACT(EPOCH FROM created_at)) / 60 AS DECIMAL(18, 2))
    END AS resolution_minutes,
    is_resolved,
    CAST(reopen_count AS BIGINT) AS reopen_count,
    CAST(staff_reply_count AS BIGINT) AS staff_reply_count,
    CAST(contact_reply_count AS BIGINT) AS contact_reply_count,
    CAST(private_note_count AS BIGINT) AS private_note_count,
    CAST(assignee_change_count AS BIGINT) AS assignee_change_count,
    CAST(distinct_assignee_count AS BIGINT) AS distinct_assignee_count,
    CAST(time_spent_minutes AS BIGINT) AS time_spent_minutes,
    (is_resolved AND staff_reply_count = 1 AND reopen_count = 0) AS is_one_touch_resolution,
    CAST(latest_satisfaction_rating AS BIGINT) AS latest_satisfaction_rating,
    due_date,
    -- the one clock-dependent column: a ticket still open is overdue once today (UTC) is
    -- past its due date
    CASE
        WHEN due_date IS NULL THEN FALSE
        WHEN is_resolved THEN CAST(last_resolved_at AT TIME ZONE 'UTC' AS DATE) > due_date
        ELSE CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS DATE) > due_date
    END AS was_overdue,
    status_id,
    status_name,
    status_behavior,
    priority_id,
    priority_name,
    category_id,
    category_name,
    assignee_id,
    assignee_name,
    contact_id,
    contact_name
FROM joined
