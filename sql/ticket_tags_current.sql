-- ticket_tags_current: one row per ticket that is not deleted per tag it carries now.
-- Tags come from the ticket's comma-separated `tags` field as the source split it into
-- `ticket_tags`; empty tags are left out and a tag listed twice on a ticket counts once.
SELECT DISTINCT
    g.ticket_id,
    g.tag
FROM {{ raw }}.ticket_tags AS g
JOIN {{ raw }}.tickets AS t ON t.id = g.ticket_id AND NOT COALESCE(t.is_deleted, FALSE)
WHERE g.tag IS NOT NULL AND TRIM(g.tag) <> ''
