-- Live progress across processes: every new outbox row wakes the processes that LISTEN on the
-- channel 'job_events' (the API's event streams), with the job's id as the payload. PostgreSQL
-- delivers a notification when the inserting transaction commits, so a listener that reads the
-- outbox after it always finds the row; identical notifications of one transaction arrive once.
CREATE FUNCTION notify_job_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('job_events', NEW.job_id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER job_events_notify
  AFTER INSERT ON job_events
  FOR EACH ROW EXECUTE FUNCTION notify_job_event();
