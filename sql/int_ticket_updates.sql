-- Helper model (not part of the reporting contract): one row per update of every
-- ticket that is not deleted, with what the update counts as.
-- Definitions (see sql/README.md):
--   opening message  = the message of the ticket's first update (update_index 0); it is
--                      neither a staff reply nor a contact reply, whoever wrote it.
--   private note     = a message whose message_type is 'p'.
--   public staff reply = a message by staff that is not a private note and not the opening message.
--   contact reply    = a message by a contact (by__type 'user') that is not a private
--                      note and not the opening message.
--   A message is present when its text or html is not null.
--   Only a staff member's message (by__type 'staff') is a staff reply: smart-rule
--   messages (by__type 'smartrule', e.g. an auto-acknowledgement) and system updates
--   (by__type null) are neither staff nor contact replies.
--   updated_date is the local day in the reporting time zone; updated_business_seconds
--   is F(updated_at), the business seconds before the update on the reporting calendar
--   (business time between two updates = the difference of their F values).
WITH live_tickets AS (
    SELECT id
    FROM {{ raw }}.tickets
    WHERE NOT COALESCE(is_deleted, FALSE)
),
updates AS (
    SELECT
        u.ticket_id,
        u.update_index,
        u.update_id,
        u.timestamp AS updated_at,
        u.by__id AS author_id,
        u.by__type AS author_type,
        u.by__name AS author_name,
        (u.message__text IS NOT NULL OR u.message__html IS NOT NULL) AS has_message,
        COALESCE(u.message__message_type = 'p', FALSE) AS is_private,
        u.status_change__old,
        u.status_change__new,
        u.status_change__old_name,
        u.status_change__new_name,
        u.priority_change__old,
        u.priority_change__new,
        u.category_change__old,
        u.category_change__new,
        u.assignee_change__old,
        u.assignee_change__new,
        u.due_date_change__old,
        u.due_date_change__new,
        u.time_spent,
        u.satisfaction_survey__rating AS satisfaction_rating
    FROM {{ raw }}.ticket_updates AS u
    JOIN live_tickets AS t ON t.id = u.ticket_id
)
SELECT
    ticket_id,
    update_index,
    update_id,
    updated_at,
    cal.local_day AS updated_date,
    CAST(
        cal.business_seconds_before
        + CASE WHEN cal.is_business THEN EXTRACT(EPOCH FROM updated_at) - EXTRACT(EPOCH FROM cal.segment_start) ELSE 0 END
        AS DOUBLE
    ) AS updated_business_seconds,
    author_id,
    author_type,
    author_name,
    has_message,
    (has_message AND update_index = 0) AS is_opening_message,
    (has_message AND update_index <> 0 AND author_type = 'staff' AND NOT is_private) AS is_public_staff_reply,
    (has_message AND update_index <> 0 AND is_private) AS is_private_note,
    (has_message AND update_index <> 0 AND author_type = 'user' AND NOT is_private) AS is_contact_reply,
    (status_change__new IS NOT NULL) AS is_status_change,
    (assignee_change__old IS NOT NULL OR assignee_change__new IS NOT NULL) AS is_assignee_change,
    status_change__old,
    status_change__new,
    status_change__old_name,
    status_change__new_name,
    priority_change__old,
    priority_change__new,
    category_change__old,
    category_change__new,
    assignee_change__old,
    assignee_change__new,
    due_date_change__old,
    due_date_change__new,
    time_spent,
    satisfaction_rating
FROM updates
LEFT JOIN {{ settings }}.settings_business_calendar AS cal
    ON cal.utc_day_number = CAST(FLOOR(EXTRACT(EPOCH FROM updates.updated_at) / 86400) AS BIGINT)
   AND cal.segment_start <= updates.updated_at
   AND updates.updated_at < cal.segment_end
