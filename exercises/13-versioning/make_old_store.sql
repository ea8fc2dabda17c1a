-- make_old_store.sql - the event store that releases 1 and 2 of the
-- registration app left behind: old_store.db, shipped with the exercise.
--
-- It is written by hand, row by row, because no code of today writes it:
-- today's esk writes a newer store schema, and today's app writes
-- AttendeeRegistered v3. To make the file again:
--
--   rm -f old_store.db && sqlite3 old_store.db < make_old_store.sql
--
-- Release 1 (January 2025) asked for one name. Release 2 (from February
-- 2025) asked for first name, last name and e-mail: linus's registration
-- is its only v2. AttendeeWaitlisted and the other events never changed.

-- Stamped as an esk event store ("ESK1"), store schema version 1: the
-- events table and nothing else, as esk created it at the time. The esk
-- of today upgrades it when it opens the file (it adds the tables of
-- checkpoints, command outcomes and snapshots); the events stay as they are.
PRAGMA application_id = 1163086641;

CREATE TABLE events(position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE(stream_id, version));

INSERT INTO events VALUES
(1, '3b0c54d2-6f1e-4c8a-9d2b-1a7e5f0c9d01', 'workshop-w-1', 1,
 'WorkshopScheduled', 1,
 '{"workshopId":"w-1","title":"Event Sourcing 101","startsOn":"2025-03-10","capacity":3}',
 '{}', '2025-01-06T09:00:00.000000Z'),
(2, '3b0c54d2-6f1e-4c8a-9d2b-1a7e5f0c9d02', 'workshop-w-1', 2,
 'AttendeeRegistered', 1,
 '{"workshopId":"w-1","attendeeId":"ada","name":"Ada Lovelace"}',
 '{}', '2025-01-07T14:21:05.000000Z'),
(3, '3b0c54d2-6f1e-4c8a-9d2b-1a7e5f0c9d03', 'workshop-w-1', 3,
 'AttendeeRegistered', 1,
 '{"workshopId":"w-1","attendeeId":"cher","name":"Cher"}',
 '{}', '2025-01-09T08:02:44.000000Z'),
(4, '3b0c54d2-6f1e-4c8a-9d2b-1a7e5f0c9d04', 'workshop-w-1', 4,
 'AttendeeRegistered', 1,
 '{"workshopId":"w-1","attendeeId":"grace","name":"Grace Brewster Murray Hopper"}',
 '{}', '2025-01-15T17:40:12.000000Z'),
(5, '3b0c54d2-6f1e-4c8a-9d2b-1a7e5f0c9d05', 'workshop-w-1', 5,
 'RegistrationCancelled', 1,
 '{"workshopId":"w-1","attendeeId":"cher","wasWaitlisted":false}',
 '{}', '2025-01-28T11:15:00.000000Z'),
(6, '3b0c54d2-6f1e-4c8a-9d2b-1a7e5f0c9d06', 'workshop-w-1', 6,
 'AttendeeRegistered', 2,
 '{"workshopId":"w-1","attendeeId":"linus","firstName":"Linus","lastName":"Torvalds","email":"linus@example.org"}',
 '{}', '2025-02-11T10:03:31.000000Z'),
(7, '3b0c54d2-6f1e-4c8a-9d2b-1a7e5f0c9d07', 'workshop-w-1', 7,
 'AttendeeWaitlisted', 1,
 '{"workshopId":"w-1","attendeeId":"bob","name":"Bob Kahn"}',
 '{}', '2025-02-20T16:47:58.000000Z');

PRAGMA user_version = 1;
