import type { FastifyRequest } from 'fastify';

/**
 * Absolute URLs in responses (CVAT's `url`, `next`, `result_url` fields). Behind a load balancer
 * FRAMEWISE_PUBLIC_URL pins the origin; otherwise it comes from the request (trustProxy honours
 * X-Forwarded-Proto/Host).
 */
export function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  return `${request.protocol}://${request.host}`;
}

export interface UrlBuilder {
  base: string;
  api(path: string): string;
}

export function urlBuilder(base: string): UrlBuilder {
  return { base, api: (p) => `${base}/api/${p.replace(/^\/+/, '')}` };
}

/** The request's absolute URL split for pagination links (see http/list-query.ts). */
export function requestUrl(request: FastifyRequest): { base: string; query: string } {
  const [pathname = '', query = ''] = request.url.split('?', 2);
  return { base: `${request.urls.base}${pathname}`, query };
}
