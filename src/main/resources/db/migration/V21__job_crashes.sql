-- A worker that dies (kill -9, OOM kill, lost node) is not the job's fault: the reaper counts it as a
-- crash and gives the attempt back. max_crashes bounds a job that kills its worker every time.
ALTER TABLE jobs ADD COLUMN crashes int NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN max_crashes int NOT NULL DEFAULT 5;
