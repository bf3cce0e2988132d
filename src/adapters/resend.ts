import { Resend } from 'resend';

export function createResendClient(config: { apiKey: string; baseUrl: string | undefined }): Resend {
  return new Resend(config.apiKey, config.baseUrl ? { baseUrl: config.baseUrl.replace(/\/$/, '') } : undefined);
}

export type { Resend };
