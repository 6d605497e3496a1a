-- Why a generation failed, so that a 'failed' row says what its API answer said.
ALTER TABLE images ADD COLUMN failure_reason TEXT;
