import type { Settings } from '../../config/settings';
import { endpointOf } from '../../http/endpoint';
import { createUpstreamHttp, statusError, type UpstreamHttp } from '../../http/upstreamHttp';
import { createPartnerCenterAuth, type AccessTokenProvider } from '../../http/partnerCenterAuth';
import { getPartnerCenterFile } from '../../http/partnerCenterFile';
import type { FxRatesSource } from './source';

/**
 * Partner Center's exchange rates of a month (`GET /v1.0/sales/fxrates(Month='YYYYMM')/$value`):
 * the same App+User auth and `Accept-Encoding: deflate` (zip) rule as price sheets; the bytes are
 * handed on as received, the pipeline recognises plain or zip by their first bytes.
 */

function fxRatesUrl(baseUrl: string, month: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1.0/sales/fxrates(Month='${month}')/$value`;
}

export function createPartnerCenterFxSource(
  settings: Settings,
  http: UpstreamHttp = createUpstreamHttp(settings),
  auth: AccessTokenProvider = createPartnerCenterAuth(settings, http),
): FxRatesSource {
  return {
    name: 'partnercenter',
    history: true,
    dayFrom: 'request',
    async fetchRates({ asOf }, signal) {
      const month = asOf.slice(0, 7).replace('-', '');
      const url = fxRatesUrl(settings.PARTNER_CENTER_BASE_URL, month);
      const what = `Partner Center ${endpointOf(url)}`;
      const response = await getPartnerCenterFile(http, auth, url, signal);
      if (response.ok) return { body: response.body, origin: what };
      throw statusError(what, response);
    },
  };
}
