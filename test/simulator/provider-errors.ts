/**
 * Error responses exactly as each provider sends them, so the SDKs build their own error classes
 * (`RateLimitError`, `InternalServerError`, `BadRequestError`, Anthropic's `OverloadedError`…).
 *
 * - OpenAI: `{"error": {"message", "type", "param", "code"}}`; a rate limit has `type: "requests"`
 *   and `code: "rate_limit_exceeded"`, a server fault `type: "server_error"`.
 * - Anthropic: `{"type": "error", "error": {"type", "message"}, "request_id"}` and `x-should-retry`.
 * - Retryable statuses carry `retry-after-ms` (read first by both SDKs) and `retry-after` in seconds.
 *
 * @module
 */
import { providerHeaders } from './provider-headers.ts';
import type { SimProvider, SimResponse } from './types.ts';

export interface ErrorDetail {
  message?: string;
  /** OpenAI only: the offending request field. */
  param?: string | null;
  /** OpenAI only: a machine-readable code such as `missing_required_parameter`. */
  code?: string | null;
  /** Named in OpenAI's rate-limit message. */
  model?: string | undefined;
}

const ANTHROPIC_TYPES: Readonly<Record<number, [string, string]>> = {
  400: ['invalid_request_error', 'Invalid request'],
  401: ['authentication_error', 'invalid x-api-key'],
  404: ['not_found_error', 'Not found'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: [
    'rate_limit_error',
    'This request would exceed the rate limit for your organization (simulator) of 50 requests per minute. ' +
      'For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers ' +
      'for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.',
  ],
  500: ['api_error', 'Internal server error'],
  503: ['api_error', 'Service unavailable'],
  529: ['overloaded_error', 'Overloaded'],
};

/** Google's `{error: {code, message, status}}`, by HTTP status. */
const GEMINI_STATUS: Readonly<Record<number, [string, string]>> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'API key not valid. Please pass a valid API key.'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  413: ['INVALID_ARGUMENT', 'Request payload size exceeds the limit.'],
  429: ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'],
  500: [
    'INTERNAL',
    'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  ],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  529: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
};

/** Bedrock's error shape: the type in `x-amzn-errortype`, the body `{message}`. */
const BEDROCK_TYPES: Readonly<Record<number, [string, string]>> = {
  400: ['ValidationException', 'The provided request is not valid'],
  401: ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
  404: [
    'ResourceNotFoundException',
    'Could not resolve the foundation model from the provided model identifier.',
  ],
  413: ['ValidationException', 'Input is too long for requested model.'],
  429: ['ThrottlingException', 'Too many requests, please wait before trying your request again.'],
  500: [
    'InternalServerException',
    'The system encountered an unexpected error during processing. Try your request again.',
  ],
  503: ['ServiceUnavailableException', 'Bedrock is unable to process your request.'],
  529: ['ServiceUnavailableException', 'Bedrock is unable to process your request.'],
};

function openAIDefault(status: number, model: string | undefined): [string, string, string | null] {
  switch (status) {
    case 401:
      return [
        'invalid_request_error',
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_api_key',
      ];
    case 404:
      return ['invalid_request_error', 'Not found', null];
    case 413:
      return ['invalid_request_error', 'Request body too large.', null];
    case 429:
      return [
        'requests',
        `Rate limit reached for ${model ?? 'requests'} in organization org-simulator on requests per min (RPM): ` +
          'Limit 500, Used 500, Requested 1. Please try again in 120ms. ' +
          'Visit https://platform.openai.com/account/rate-limits to learn more.',
        'rate_limit_exceeded',
      ];
    case 503:
    case 529:
      return ['server_error', 'The engine is currently overloaded, please try again later.', null];
    default:
      return status >= 500
        ? ['server_error', 'The server had an error while processing your request. Sorry about that!', null]
        : ['invalid_request_error', 'Invalid request', null];
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export function errorResponse(
  provider: SimProvider,
  status: number,
  detail: ErrorDetail,
  retryAfterMs: number | null,
): SimResponse {
  const headers = providerHeaders(provider);
  const retryable = isRetryableStatus(status);
  if (retryable && retryAfterMs !== null) {
    headers['retry-after-ms'] = String(retryAfterMs);
    headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
  let body: unknown;
  if (provider === 'openai') {
    const [type, message, code] = openAIDefault(status, detail.model);
    body = {
      error: {
        message: detail.message ?? message,
        type,
        param: detail.param ?? null,
        code: detail.code === undefined ? code : detail.code,
      },
    };
  } else if (provider === 'gemini') {
    const [code, message] = GEMINI_STATUS[status] ?? GEMINI_STATUS[status >= 500 ? 500 : 400] ?? ['', ''];
    body = { error: { code: status, message: detail.message ?? message, status: code } };
  } else if (provider === 'bedrock') {
    const [type, message] = BEDROCK_TYPES[status] ?? BEDROCK_TYPES[status >= 500 ? 500 : 400] ?? ['', ''];
    headers['x-amzn-errortype'] = `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
    body = { message: detail.message ?? message };
  } else {
    const [type, message] = ANTHROPIC_TYPES[status] ?? ANTHROPIC_TYPES[status >= 500 ? 500 : 400] ?? ['', ''];
    headers['x-should-retry'] = String(retryable);
    body = {
      type: 'error',
      error: { type, message: detail.message ?? message },
      request_id: headers['request-id'],
    };
  }
  return { kind: 'json', status, headers, body, tokens: 0 };
}
