import type { StreamedResponse, UpstreamHttp } from './upstreamHttp';
import type { AccessTokenProvider } from './partnerCenterAuth';

/**
 * GET of a Partner Center file (price sheet, FX rates) with the App+User token, asking for the zip
 * form (`Accept-Encoding: deflate`); the bytes are handed on as received.
 */
export async function getPartnerCenterFile(
  http: UpstreamHttp,
  auth: AccessTokenProvider,
  url: string,
  signal?: AbortSignal,
): Promise<StreamedResponse> {
  const token = await auth.getToken(signal);
  const response = await http.stream({
    url,
    headers: {
      Authorization: `Bearer ${token}`,
      'Accept-Encoding': 'deflate',
      Accept: 'application/octet-stream, text/csv, */*',
    },
    signal,
  });
  // A revoked consent or a disabled user shows as 401/403: the next run must redeem afresh.
  if (!response.ok && (response.status === 401 || response.status === 403)) auth.invalidate();
  return response;
}
