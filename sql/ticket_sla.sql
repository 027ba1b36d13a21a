-- ticket_sla: one row per ticket that is not deleted and SLA metric (first_response,
-- resolution) with a target. Definitions: sql/README.md.
--   The clock of both metrics starts at the ticket's creation; the target is the one for
--   the ticket's priority at creation (by name, case-insensitive), else the `default`
--   target; a metric without either has no row.
--   first_response stops at the first public staff reply; resolution at the last
--   resolution, while the ticket is resolved (a reopened ticket's clock runs again).
--   A running clock is measured to the latest event in the data (measured_until), never
--   to "now": no column reads the clock.
--   breached_at: the instant the elapsed business time passed the target (F inverted with
--   settings_business_calendar_index); null when met, or running and not yet late.
WITH horizon AS (
    SELECT MAX(at) AS as_of
    FROM (
        SELECT MAX(updated_at) AS at FROM {{ reporting }}.int_ticket_updates
        UNION ALL
        SELECT MAX(created_at) FROM {{ reporting }}.ticket_metrics
    ) AS latest
),
horizon_f AS (
    SELECT
        h.as_of,
        c.business_seconds_before
            + CASE WHEN c.is_business THEN EXTRACT(EPOCH FROM h.as_of) - EXTRACT(EPOCH FROM c.segment_start) ELSE 0 END
            AS as_of_f
    FROM horizon AS h
    LEFT JOIN {{ settings }}.settings_business_calendar AS c
        ON c.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM h.as_of) / 86400) AS BIGINT)
       AND c.segment_start <= h.as_of AND h.as_of < c.segment_end
),
priority_at_creation AS (
    SELECT ticket_id, priority_id
    FROM {{ reporting }}.int_ticket_state_history
    WHERE changed_in_update_index IS NULL
),
tickets AS (
    SELECT
        m.ticket_id,
        m.created_at,
        m.first_staff_reply_at,
        m.first_response_business_minutes,
        m.is_resolved,
        m.last_resolved_at,
        m.resolution_business_minutes,
        pc.priority_id,
        p.name AS priority_name,
        c.business_seconds_before
            + CASE WHEN c.is_business THEN EXTRACT(EPOCH FROM m.created_at) - EXTRACT(EPOCH FROM c.segment_start) ELSE 0 END
            AS created_f,
        t.sla_breaches
    FROM {{ reporting }}.ticket_metrics AS m
    JOIN {{ raw }}.tickets AS t ON t.id = m.ticket_id
    LEFT JOIN priority_at_creation AS pc ON pc.ticket_id = m.ticket_id
    LEFT JOIN {{ raw }}.priorities AS p ON p.id = pc.priority_id
    LEFT JOIN {{ settings }}.settings_business_calendar AS c
        ON c.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM m.created_at) / 86400) AS BIGINT)
       AND c.segment_start <= m.created_at AND m.created_at < c.segment_end
),
metrics AS (
    SELECT
        ticket_id, 'first_response' AS metric, priority_id, priority_name, created_at, created_f, sla_breaches,
        first_staff_reply_at AS stopped_at,
        first_response_business_minutes AS stopped_business_minutes
    FROM tickets
    UNION ALL
    SELECT
        ticket_id, 'resolution', priority_id, priority_name, created_at, created_f, sla_breaches,
        CASE WHEN is_resolved THEN last_resolved_at END,
        resolution_business_minutes
    FROM tickets
),
targeted AS (
    SELECT
        m.*,
        COALESCE(tp.target_minutes, td.target_minutes) AS target_minutes,
        CASE
            WHEN m.stopped_at IS NOT NULL THEN m.stopped_business_minutes
            ELSE CAST((h.as_of_f - m.created_f) / 60 AS DECIMAL(18, 2))
        END AS elapsed_business_minutes,
        COALESCE(m.stopped_at, h.as_of) AS measured_until
    FROM metrics AS m
    CROSS JOIN horizon_f AS h
    LEFT JOIN {{ settings }}.settings_sla_targets AS tp
        ON tp.metric = m.metric AND NOT tp.is_default AND tp.priority_key = LOWER(m.priority_name)
    LEFT JOIN {{ settings }}.settings_sla_targets AS td
        ON td.metric = m.metric AND td.is_default
    WHERE tp.target_minutes IS NOT NULL OR td.target_minutes IS NOT NULL
),
judged AS (
    SELECT
        *,
        (elapsed_business_minutes > target_minutes) AS is_breached,
        created_f + target_minutes * 60 AS breach_f
    FROM targeted
)
SELECT
    j.ticket_id,
    j.metric,
    j.priority_id,
    j.priority_name,
    CAST(j.target_minutes AS DECIMAL(18, 2)) AS target_minutes,
    j.created_at AS started_at,
    j.stopped_at,
    (j.stopped_at IS NULL) AS is_running,
    j.measured_until,
    CAST(j.elapsed_business_minutes AS DECIMAL(18, 2)) AS elapsed_business_minutes,
    j.is_breached,
    CASE
        WHEN j.is_breached
        THEN GREATEST(
            j.created_at,
            TO_TIMESTAMP(EXTRACT(EPOCH FROM ix.segment_start) + (j.breach_f - ix.business_seconds_before))
        )
    END AS breached_at,
    CAST(j.sla_breaches AS BIGINT) AS sla_breaches
FROM judged AS j
LEFT JOIN {{ settings }}.settings_business_calendar_index AS ix
    ON j.is_breached
   AND ix.bucket = CAST(FLOOR(j.breach_f / 86400) AS BIGINT)
   AND ix.business_seconds_before < j.breach_f
   AND j.breach_f <= ix.business_seconds_after
