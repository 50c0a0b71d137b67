/** `replguard report`: one evaluation rendered for a review meeting (HTML) or a wiki (Markdown). */
import type { Config } from '../../config';
import type { Report } from '../../rules/evaluate';
import type { FleetSnapshot } from '../../fleet/model';
import { renderReviewHtml } from './html';
import { layoutReview } from './layout';
import { renderReviewMarkdown } from './markdown';
import { buildReviewModel } from './model';

export type ReviewFormat = 'html' | 'markdown';

export interface ReviewReportInput {
  readonly snapshot: FleetSnapshot;
  readonly config: Config;
  /** The evaluation `check` would print for this snapshot and config. */
  readonly report: Report;
  /** Where the fleet came from, shown in the header. */
  readonly source: string;
  readonly format: ReviewFormat;
}

export async function renderReviewReport(input: ReviewReportInput): Promise<string> {
  const model = buildReviewModel(input);
  if (input.format === 'markdown') return renderReviewMarkdown(model);
  const layout = await layoutReview(model);
  return renderReviewHtml(model, layout, { warningSeconds: input.config.lag.warningSeconds });
}

export { buildReviewModel, type ReviewModel } from './model';
