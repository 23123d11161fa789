import { useQuery } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import type { SiteConfig } from '../api/types';

/**
 * The server's upload limits and accepted image types (GET /api/v1/config),
 * asked once per page load and shared by every form through the query cache.
 * Undefined while it loads or when it could not be had: the forms then let
 * the server decide instead of guessing limits (a later form asks again).
 */
export function useSiteConfig(): SiteConfig | undefined {
  return useQuery({ queryKey: ['config'], queryFn: api.siteConfig, staleTime: Infinity, gcTime: Infinity }).data;
}
