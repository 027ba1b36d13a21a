-- ticket_metrics: one row per ticket that is not deleted. Definitions: sql/README.md.
-- Business minutes: F(t) is the business seconds before t on the reporting calendar
-- (settings_business_calendar, one equi-join on t's UTC day plus a range
-- check among that day's few segments); the business time from a to b is F(b) - F(a).
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
handoffs AS (
    -- a handoff is an assignment to a staff member after the ticket's first assignment
    -- (its assignee at creation, or else its first change to a staff member)
    SELECT
        ticket_id,
        COUNT(CASE WHEN assignee_change__new IS NOT NULL THEN 1 END) AS assignments,
        MAX(CASE WHEN n = 1 AND assignee_change__old IS NOT NULL THEN 1 ELSE 0 END) AS assigned_at_creation
    FROM (
        SELECT
            ticket_id,
            assignee_change__old,
            assignee_change__new,
            ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY update_index) AS n
        FROM {{ reporting }}.int_ticket_updates
        WHERE is_assignee_change
    ) AS changes
    GROUP BY ticket_id
),
waits AS (
    -- finished pending intervals, split by whether the status waits on the contact
    SELECT
        h.ticket_id,
        SUM(CASE WHEN w.status_key IS NOT NULL THEN h.minutes_in_status ELSE 0 END) AS contact_wait_minutes,
        SUM(CASE WHEN w.status_key IS NULL THEN h.minutes_in_status ELSE 0 END) AS agent_wait_minutes
    FROM {{ reporting }}.ticket_status_history AS h
    LEFT JOIN {{ settings }}.settings_waiting_on_contact_statuses AS w ON w.status_key = LOWER(h.status_name)
    WHERE NOT COALESCE(h.status_behavior = 'completed', FALSE) AND h.minutes_in_status IS NOT NULL
    GROUP BY h.ticket_id
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
        lr.latest_satisfaction_rating,
        COALESCE(h.assignments, 0)
            - CASE WHEN COALESCE(h.assigned_at_creation, 0) = 1 OR COALESCE(h.assignments, 0) = 0 THEN 0 ELSE 1 END
            AS handoff_count,
        COALESCE(w.contact_wait_minutes, 0) AS contact_wait_minutes,
        COALESCE(w.agent_wait_minutes, 0) AS agent_wait_minutes
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
    LEFT JOIN handoffs AS h ON h.ticket_id = t.id
    LEFT JOIN waits AS w ON w.ticket_id = t.id
),
today AS (
    -- today's local day (the calendar runs a year past the data; past it, the UTC day)
    SELECT COALESCE(MAX(c.local_day), CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS DATE)) AS today
    FROM (SELECT CURRENT_TIMESTAMP AS now) AS n
    LEFT JOIN {{ settings }}.settings_business_calendar AS c
        ON c.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM n.now) / 86400) AS BIGINT)
       AND c.segment_start <= n.now AND n.now < c.segment_end
),
clocked AS (
    -- local days and F values (business seconds before) of the ticket's milestones
    SELECT
        j.*,
        td.today,
        cc.local_day AS created_day,
        cr.local_day AS last_resolved_day,
        cc.business_seconds_before
            + CASE WHEN cc.is_business THEN EXTRACT(EPOCH FROM j.created_at) - EXTRACT(EPOCH FROM cc.segment_start) ELSE 0 END
            AS created_f,
        cs.business_seconds_before
            + CASE WHEN cs.is_business THEN EXTRACT(EPOCH FROM j.first_staff_reply_at) - EXTRACT(EPOCH FROM cs.segment_start) ELSE 0 END
            AS first_reply_f,
        cr.business_seconds_before
            + CASE WHEN cr.is_business THEN EXTRACT(EPOCH FROM j.last_resolved_at) - EXTRACT(EPOCH FROM cr.segment_start) ELSE 0 END
            AS last_resolved_f
    FROM joined AS j
    CROSS JOIN today AS td
    LEFT JOIN {{ settings }}.settings_business_calendar AS cc
        ON cc.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM j.created_at) / 86400) AS BIGINT)
       AND cc.segment_start <= j.created_at AND j.created_at < cc.segment_end
    LEFT JOIN {{ settings }}.settings_business_calendar AS cs
        ON cs.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM j.first_staff_reply_at) / 86400) AS BIGINT)
       AND cs.segment_start <= j.first_staff_reply_at AND j.first_staff_reply_at < cs.segment_end
    LEFT JOIN {{ settings }}.settings_business_calendar AS cr
        ON cr.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM j.last_resolved_at) / 86400) AS BIGINT)
       AND cr.segment_start <= j.last_resolved_at AND j.last_resolved_at < cr.segment_end
)
SELECT
    ticket_id,
    display_id,
    subject,
    created_at,
    first_staff_reply_at,
    first_staff_reply_by_id,
    CAST((EXTRACT(EPOCH FROM first_staff_reply_at) - EXTRACT(EPOCH FROM created_at)) / 60 AS DECIMAL(18, 2)) AS first_response_minutes,
    CAST((first_reply_f - created_f) / 60 AS DECIMAL(18, 2)) AS first_response_business_minutes,
    first_resolved_at,
    last_resolved_at,
    CASE
        WHEN is_resolved
        THEN CAST((EXTRACT(EPOCH FROM last_resolved_at) - EXTRACT(EPOCH FROM created_at)) / 60 AS DECIMAL(18, 2))
    END AS resolution_minutes,
    CASE WHEN is_resolved THEN CAST((last_resolved_f - created_f) / 60 AS DECIMAL(18, 2)) END AS resolution_business_minutes,
    -- creation to the last resolution (kept under dbt_zendesk's name; see sql/README.md)
    CASE
        WHEN is_resolved
        THEN CAST((EXTRACT(EPOCH FROM last_resolved_at) - EXTRACT(EPOCH FROM created_at)) / 60 AS DECIMAL(18, 2))
    END AS full_resolution_minutes,
    CASE WHEN is_resolved THEN CAST((last_resolved_f - created_f) / 60 AS DECIMAL(18, 2)) END AS full_resolution_business_minutes,
    CAST(contact_wait_minutes AS DECIMAL(18, 2)) AS contact_wait_minutes,
    CAST(agent_wait_minutes AS DECIMAL(18, 2)) AS agent_wait_minutes,
    created_day,
    CASE WHEN is_resolved THEN last_resolved_day END AS resolved_day,
    COALESCE(is_resolved AND last_resolved_day = created_day, FALSE) AS is_resolved_same_day,
    is_resolved,
    CAST(reopen_count AS BIGINT) AS reopen_count,
    CAST(staff_reply_count AS BIGINT) AS staff_reply_count,
    CAST(contact_reply_count AS BIGINT) AS contact_reply_count,
    CAST(private_note_count AS BIGINT) AS private_note_count,
    CAST(assignee_change_count AS BIGINT) AS assignee_change_count,
    CAST(distinct_assignee_count AS BIGINT) AS distinct_assignee_count,
    CAST(time_spent_minutes AS BIGINT) AS time_spent_minutes,
    (is_resolved AND staff_reply_count = 1 AND reopen_count = 0) AS is_one_touch_resolution,
    (is_resolved AND staff_reply_count = 1) AS is_one_touch,
    CAST(handoff_count AS BIGINT) AS handoff_count,
    CAST(latest_satisfaction_rating AS BIGINT) AS latest_satisfaction_rating,
    due_date,
    -- the one clock-dependent column: a ticket still open is overdue once today (in the
    -- reporting time zone) is past its due date
    CASE
        WHEN due_date IS NULL THEN FALSE
        WHEN is_resolved THEN last_resolved_day > due_date
        ELSE today > due_date
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
FROM clocked
