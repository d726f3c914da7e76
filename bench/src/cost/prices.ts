/**
 * AWS list prices, us-east-1, used by `npm run bench -- cost`. Dated: recorded 2026-12-05 from AWS's public
 * pricing pages for each service (the figures below have been the published ones since the DynamoDB on-demand
 * price cut of November 2024); re-check them before quoting a figure to anyone. Free tiers are NOT applied
 * (the bench states the cost as if the account already used them up), so the figures are upper bounds.
 */
export const PRICES_AS_OF = '2026-12-05';
export const PRICE_REGION = 'us-east-1';

export const PRICES = {
  /** Step Functions Standard workflows: per state transition ($0.025 per 1,000). */
  sfnTransition: 0.025 / 1000,
  /** Lambda, arm64: per GB-second ($0.0000133334) and per request ($0.20 per million). */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** DynamoDB on-demand: per write request unit ($0.625 per million) and read request unit ($0.125 per million). */
  dynamoWru: 0.625 / 1e6,
  dynamoRru: 0.125 / 1e6,
  /** DynamoDB storage: per GB-month (first 25 GB free; not applied). */
  dynamoGbMonth: 0.25,
  /** SQS: per request, standard queue ($0.40 per million) and FIFO ($0.50 per million); 64 KB chunks. */
  sqsStandardRequest: 0.4 / 1e6,
  sqsFifoRequest: 0.5 / 1e6,
  /** EventBridge Scheduler: per invocation ($1.00 per million; 14 million a month free, not applied). */
  schedulerInvocation: 1 / 1e6,
  /** Secrets Manager: per secret per month ($0.40) and per API call ($0.05 per 10,000). */
  secretMonth: 0.4,
  secretsApiCall: 0.05 / 10_000,
  /** KMS: per customer managed key per month ($1.00) and per request ($0.03 per 10,000). */
  kmsKeyMonth: 1,
  kmsRequest: 0.03 / 10_000,
  /** CloudWatch: per standard-resolution alarm metric per month ($0.10; a metric-math alarm pays per metric). */
  alarmMetricMonth: 0.1,
  /** CloudWatch custom metric per month ($0.30), e.g. a log metric filter's metric. */
  customMetricMonth: 0.3,
  /** CloudWatch Logs ingestion per GB ($0.50). */
  logsIngestGb: 0.5,
} as const;

/** Lambda memory per function, as infra/src/stateless-stack.ts configures it (MB). */
export const LAMBDA_MEMORY_MB: Readonly<Record<string, number>> = {
  bot: 1024,
  dispatch: 512,
  result: 512,
  claim: 512,
  'job-ops': 512,
  'execution-status': 512,
};

/** Hours in the month the idle scenario is priced over (730 = 365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;
