-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'reviewer');
CREATE TYPE "Verdict" AS ENUM ('pass', 'fail', 'uncertain', 'error');
CREATE TYPE "ReviewStatus" AS ENUM ('pending', 'approved', 'rejected');
CREATE TYPE "DecisionKind" AS ENUM ('approve', 'reject', 'undo');
CREATE TYPE "Availability" AS ENUM ('unknown', 'available', 'unavailable', 'error');
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');
CREATE TYPE "BatchStatus" AS ENUM ('pending', 'active', 'done', 'failed', 'cancelled');
CREATE TYPE "WindowStatus" AS ENUM ('pending', 'split', 'done');
CREATE TYPE "ExportStatus" AS ENUM ('queued', 'running', 'completed', 'failed');
CREATE TYPE "SpotCheckPopulation" AS ENUM ('included', 'all');

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'reviewer',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "login_attempts" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "success" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "login_attempts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "accounts" (
    "nsid" TEXT NOT NULL,
    "username" TEXT,
    "real_name" TEXT,
    "photo_count" INTEGER NOT NULL DEFAULT 0,
    "rank" INTEGER,
    "review_status" "ReviewStatus" NOT NULL DEFAULT 'pending',
    "review_reason" TEXT,
    "reviewed_at" TIMESTAMPTZ(3),
    "flag_score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "watermark_score" DOUBLE PRECISION,
    "watermark_verdict" "Verdict",
    "watermark_summary" JSONB,
    "lease_user_id" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "accounts_pkey" PRIMARY KEY ("nsid")
);

CREATE TABLE "photos" (
    "id" TEXT NOT NULL,
    "owner_nsid" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "server" TEXT NOT NULL,
    "farm" INTEGER,
    "title" TEXT NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "tags" TEXT NOT NULL DEFAULT '',
    "license" INTEGER NOT NULL,
    "date_upload" TIMESTAMPTZ(3) NOT NULL,
    "date_taken" TIMESTAMP(3),
    "date_taken_granularity" INTEGER,
    "date_taken_unknown" BOOLEAN NOT NULL DEFAULT false,
    "original_width" INTEGER,
    "original_height" INTEGER,
    "original_format" TEXT,
    "original_secret" TEXT,
    "url_o" TEXT,
    "url_b" TEXT,
    "url_c" TEXT,
    "url_z" TEXT,
    "url_m" TEXT,
    "sizes" JSONB NOT NULL DEFAULT '{}',
    "views" INTEGER,
    "availability" "Availability" NOT NULL DEFAULT 'unknown',
    "fetch_error" TEXT,
    "fetched_at" TIMESTAMPTZ(3),
    "content_hash" TEXT,
    "image_width" INTEGER,
    "image_height" INTEGER,
    "phash" BIGINT,
    "duplicate_of_id" TEXT,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "photos_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "photo_embeddings" (
    "photo_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "vector" BYTEA NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "photo_embeddings_pkey" PRIMARY KEY ("photo_id")
);

CREATE TABLE "check_results" (
    "photo_id" TEXT NOT NULL,
    "check" TEXT NOT NULL,
    "verdict" "Verdict" NOT NULL,
    "score" DOUBLE PRECISION,
    "details" JSONB NOT NULL DEFAULT '{}',
    "version" TEXT NOT NULL,
    "run_id" TEXT,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "check_results_pkey" PRIMARY KEY ("photo_id","check")
);

CREATE TABLE "account_check_results" (
    "account_nsid" TEXT NOT NULL,
    "check" TEXT NOT NULL,
    "verdict" "Verdict" NOT NULL,
    "score" DOUBLE PRECISION,
    "details" JSONB NOT NULL DEFAULT '{}',
    "version" TEXT NOT NULL,
    "run_id" TEXT,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "account_check_results_pkey" PRIMARY KEY ("account_nsid","check")
);

CREATE TABLE "overrides" (
    "id" BIGSERIAL NOT NULL,
    "user_id" TEXT NOT NULL,
    "photo_id" TEXT,
    "account_nsid" TEXT,
    "check" TEXT NOT NULL,
    "old_verdict" "Verdict",
    "new_verdict" "Verdict" NOT NULL,
    "reason" TEXT,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "overrides_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "account_decisions" (
    "id" BIGSERIAL NOT NULL,
    "account_nsid" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "decision" "DecisionKind" NOT NULL,
    "reason" TEXT,
    "note" TEXT,
    "undoes_id" BIGINT,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "account_decisions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "pipeline_runs" (
    "id" TEXT NOT NULL,
    "stages" TEXT[],
    "config" JSONB NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "error" TEXT,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "pipeline_runs_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "run_stages" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "status" "BatchStatus" NOT NULL DEFAULT 'pending',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "failures_by_kind" JSONB NOT NULL DEFAULT '{}',
    "last_error" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "run_stages_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "run_batches" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "status" "BatchStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "items" INTEGER NOT NULL DEFAULT 0,
    "ok_count" INTEGER NOT NULL DEFAULT 0,
    "fail_count" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "job_id" TEXT,
    "worker_id" TEXT,
    "heartbeat_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "run_batches_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "crawl_windows" (
    "id" BIGSERIAL NOT NULL,
    "crawl_key" TEXT NOT NULL,
    "min_upload" BIGINT NOT NULL,
    "max_upload" BIGINT NOT NULL,
    "status" "WindowStatus" NOT NULL DEFAULT 'pending',
    "total" INTEGER,
    "pages" INTEGER,
    "photos" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "crawl_windows_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "spot_checks" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "population" "SpotCheckPopulation" NOT NULL,
    "size" INTEGER NOT NULL,
    "seed" TEXT NOT NULL,
    "population_size" INTEGER NOT NULL,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "spot_checks_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "spot_check_items" (
    "spot_check_id" TEXT NOT NULL,
    "photo_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    CONSTRAINT "spot_check_items_pkey" PRIMARY KEY ("spot_check_id","photo_id")
);

CREATE TABLE "spot_check_labels" (
    "id" BIGSERIAL NOT NULL,
    "spot_check_id" TEXT NOT NULL,
    "photo_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "labels" TEXT[],
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "spot_check_labels_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "exports" (
    "id" TEXT NOT NULL,
    "status" "ExportStatus" NOT NULL DEFAULT 'queued',
    "formats" TEXT[],
    "config" JSONB NOT NULL,
    "row_count" INTEGER,
    "files" JSONB NOT NULL DEFAULT '[]',
    "manifest" JSONB,
    "directory" TEXT,
    "error" TEXT,
    "run_id" TEXT,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "exports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
CREATE INDEX "login_attempts_key_created_at_idx" ON "login_attempts"("key", "created_at");
CREATE INDEX "accounts_rank_idx" ON "accounts"("rank");
CREATE INDEX "accounts_review_status_rank_idx" ON "accounts"("review_status", "rank");
CREATE INDEX "accounts_review_status_watermark_score_idx" ON "accounts"("review_status", "watermark_score");
CREATE INDEX "accounts_review_status_flag_score_idx" ON "accounts"("review_status", "flag_score");
CREATE INDEX "accounts_lease_user_id_idx" ON "accounts"("lease_user_id");
CREATE INDEX "photos_owner_nsid_date_upload_idx" ON "photos"("owner_nsid", "date_upload");
CREATE INDEX "photos_date_upload_idx" ON "photos"("date_upload");
CREATE INDEX "photos_license_idx" ON "photos"("license");
CREATE INDEX "photos_availability_idx" ON "photos"("availability");
CREATE INDEX "photos_content_hash_idx" ON "photos"("content_hash");
CREATE INDEX "photos_duplicate_of_id_idx" ON "photos"("duplicate_of_id");
CREATE INDEX "check_results_check_verdict_score_idx" ON "check_results"("check", "verdict", "score");
CREATE INDEX "account_check_results_check_verdict_score_idx" ON "account_check_results"("check", "verdict", "score");
CREATE UNIQUE INDEX "overrides_request_id_key" ON "overrides"("request_id");
CREATE INDEX "overrides_photo_id_check_created_at_idx" ON "overrides"("photo_id", "check", "created_at");
CREATE INDEX "overrides_account_nsid_check_created_at_idx" ON "overrides"("account_nsid", "check", "created_at");
CREATE INDEX "overrides_check_created_at_idx" ON "overrides"("check", "created_at");
CREATE UNIQUE INDEX "account_decisions_request_id_key" ON "account_decisions"("request_id");
CREATE INDEX "account_decisions_account_nsid_created_at_idx" ON "account_decisions"("account_nsid", "created_at");
CREATE INDEX "account_decisions_user_id_created_at_idx" ON "account_decisions"("user_id", "created_at");
CREATE INDEX "pipeline_runs_status_created_at_idx" ON "pipeline_runs"("status", "created_at");
CREATE INDEX "pipeline_runs_created_at_idx" ON "pipeline_runs"("created_at");
CREATE UNIQUE INDEX "run_stages_run_id_stage_key" ON "run_stages"("run_id", "stage");
CREATE UNIQUE INDEX "run_batches_run_id_stage_key_key" ON "run_batches"("run_id", "stage", "key");
CREATE INDEX "run_batches_run_id_stage_status_idx" ON "run_batches"("run_id", "stage", "status");
CREATE UNIQUE INDEX "crawl_windows_crawl_key_min_upload_max_upload_key" ON "crawl_windows"("crawl_key", "min_upload", "max_upload");
CREATE INDEX "crawl_windows_crawl_key_status_idx" ON "crawl_windows"("crawl_key", "status");
CREATE INDEX "spot_checks_created_at_idx" ON "spot_checks"("created_at");
CREATE INDEX "spot_check_items_spot_check_id_position_idx" ON "spot_check_items"("spot_check_id", "position");
CREATE UNIQUE INDEX "spot_check_labels_request_id_key" ON "spot_check_labels"("request_id");
CREATE INDEX "spot_check_labels_spot_check_id_photo_id_created_at_idx" ON "spot_check_labels"("spot_check_id", "photo_id", "created_at");
CREATE INDEX "exports_created_at_idx" ON "exports"("created_at");

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_lease_user_id_fkey" FOREIGN KEY ("lease_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "photos" ADD CONSTRAINT "photos_owner_nsid_fkey" FOREIGN KEY ("owner_nsid") REFERENCES "accounts"("nsid") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "photo_embeddings" ADD CONSTRAINT "photo_embeddings_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "account_check_results" ADD CONSTRAINT "account_check_results_account_nsid_fkey" FOREIGN KEY ("account_nsid") REFERENCES "accounts"("nsid") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_account_nsid_fkey" FOREIGN KEY ("account_nsid") REFERENCES "accounts"("nsid") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "account_decisions" ADD CONSTRAINT "account_decisions_account_nsid_fkey" FOREIGN KEY ("account_nsid") REFERENCES "accounts"("nsid") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "account_decisions" ADD CONSTRAINT "account_decisions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "run_stages" ADD CONSTRAINT "run_stages_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "pipeline_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "run_batches" ADD CONSTRAINT "run_batches_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "pipeline_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "spot_check_items" ADD CONSTRAINT "spot_check_items_spot_check_id_fkey" FOREIGN KEY ("spot_check_id") REFERENCES "spot_checks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "spot_check_items" ADD CONSTRAINT "spot_check_items_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "spot_check_labels" ADD CONSTRAINT "spot_check_labels_spot_check_id_fkey" FOREIGN KEY ("spot_check_id") REFERENCES "spot_checks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "spot_check_labels" ADD CONSTRAINT "spot_check_labels_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
