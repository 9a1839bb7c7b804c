/**
 * Requests to ACR's token endpoints (`/oauth2/exchange`, `/oauth2/token`), bounded like data
 * requests: each answer within REQUEST_TIMEOUT_MS and MAX_BODY_BYTES.token, each operation
 * within TOKEN_DEADLINE_MS with its retries (registryRetries.ts), and all of them cancelled
 * when the scan run ends. The provider (acrTokenProvider.ts) decides what to ask for and when.
 */
import { createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest, RestError, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';
import type { Clock } from '../model/clock.js';
import { boundedResponsePolicy, MAX_BODY_BYTES } from './boundedResponsePolicy.js';
import { OperationBudget, type RegistryTimeouts } from './operationBudget.js';
import type { RegistryPauses } from './registryPauses.js';
import { withRetries } from './registryRetries.js';

export class AcrTokenEndpoints {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;

  constructor(private readonly options: { timeouts: RegistryTimeouts; pauses: RegistryPauses; httpClient?: HttpClient; signal?: AbortSignal; now?: Clock }) {
    // Retries are withRetries's (bounded by the operation's deadline), not the pipeline's.
    this.pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 } });
    this.pipeline.addPolicy(boundedResponsePolicy({ maxBodyBytes: MAX_BODY_BYTES.token, timeoutMs: options.timeouts.requestMs }), { afterPhase: 'Sign' });
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
  }

  /** A token operation's time (`label` names it in reasons): its clock starts now, and it ends with the run. */
  budget(label: string, activity = 'no answer yet'): OperationBudget {
    const budget = new OperationBudget(label, this.options.timeouts.tokenMs, this.options.signal, this.options.now);
    budget.activity = activity;
    budget.start();
    return budget;
  }

  /** Posts `form` to `path` on `host` within `budget`; ACR's JSON answer, or a RestError with its error body. */
  async post(budget: OperationBudget, host: string, path: string, form: URLSearchParams): Promise<unknown> {
    const response = await withRetries({ host, what: `POST ${path}`, budget, pauses: this.options.pauses }, async (signal) => {
      const request = createPipelineRequest({
        url: `https://${host}${path}`,
        method: 'POST',
        body: form.toString(),
        headers: createHttpHeaders({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }),
        abortSignal: signal,
      });
      const answer = await this.pipeline.sendRequest(this.httpClient, request);
      // The message is ACR's error body, which `describeError` turns into a reason.
      if (answer.status !== 200) throw new RestError(answer.bodyAsText || `HTTP ${answer.status} from ${path}`, { statusCode: answer.status, request, response: answer });
      return answer;
    });
    try {
      return JSON.parse(response.bodyAsText ?? '') as unknown;
    } catch {
      throw new Error(`ACR ${host} answered ${path} with a body that is not JSON`);
    }
  }
}
