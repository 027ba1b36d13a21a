-- ticket_status_history: one row per ticket per status interval.
-- The first interval starts at the ticket's creation with the status at creation: the
-- `old` status of the ticket's first status change, or, for a ticket whose status never
-- changed, its current status. Every later status change (in update_index order) opens a
-- new interval at the update's timestamp; an interval ends where the next one starts.
-- The current interval has valid_to and minutes_in_status null, so no number depends on
-- the clock.
-- A status counts as completed when its behavior is 'completed'; any other status
-- (behavior 'pending', or a status missing from the statuses list) counts as pending.
WITH live_tickets AS (
    SELECT id, created_at, status_id
    FROM {{ raw }}.tickets
    WHERE NOT COALESCE(is_deleted, FALSE)
),
changes AS (
    SELECT
        ticket_id,
        update_index,
        updated_at,
        author_id,
        author_type,
        status_change__old,
        status_change__old_name,
        status_change__new,
        status_change__new_name,
        ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY update_index) AS change_number
    FROM {{ reporting }}.int_ticket_updates
    WHERE is_status_change
),
intervals AS (
    -- the status at creation
    SELECT
        t.id AS ticket_id,
        0 AS change_number,
        CAST(NULL AS BIGINT) AS update_index,
        t.created_at AS valid_from,
        CASE WHEN c.ticket_id IS NULL THEN t.status_id ELSE c.status_change__old END AS status_id,
        c.status_change__old_name AS recorded_name,
        CAST(NULL AS BIGINT) AS changed_by_id,
        CAST(NULL AS VARCHAR) AS changed_by_type
    FROM live_tickets AS t
    LEFT JOIN changes AS c ON c.ticket_id = t.id AND c.change_number = 1
    UNION ALL
    -- every status change
    SELECT
        ticket_id,
        change_number,
        update_index,
        updated_at,
        status_change__new,
        status_change__new_name,
        author_id,
        author_type
    FROM changes
),
with_next AS (
    SELECT
        i.ticket_id,
        i.change_number,
        i.update_index,
        i.valid_from,
        LEAD(i.valid_from) OVER (PARTITION BY i.ticket_id ORDER BY i.change_number) AS valid_to,
        i.status_id,
        COALESCE(s.name, i.recorded_name) AS status_name,
        s.behavior AS status_behavior,
        COALESCE(s.behavior = 'completed', FALSE) AS is_completed,
        i.changed_by_id,
        i.changed_by_type
    FROM intervals AS i
    LEFT JOIN {{ raw }}.statuses AS s ON s.id = i.status_id
),
with_previous AS (
    SELECT
        *,
        LAG(is_completed) OVER (PARTITION BY ticket_id ORDER BY change_number) AS previous_is_completed
    FROM with_next
)
SELECT
    ticket_id,
    change_number + 1 AS status_sequence,
    status_id,
    status_name,
    status_behavior,
    valid_from,
    valid_to,
    CAST((EXTRACT(EPOCH FROM valid_to) - EXTRACT(EPOCH FROM valid_from)) / 60 AS DECIMAL(18, 2)) AS minutes_in_status,
    (valid_to IS NULL) AS is_current,
    -- entering a completed status from a pending one (or being created completed)
    (is_completed AND NOT COALESCE(previous_is_completed, FALSE)) AS is_resolution,
    -- leaving a completed status for a pending one
    (NOT is_completed AND COALESCE(previous_is_completed, FALSE)) AS is_reopen,
    update_index AS changed_in_update_index,
    changed_by_id,
    changed_by_type
FROM with_previous
