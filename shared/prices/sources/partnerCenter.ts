import type { Settings } from '../../config/settings';
import { endpointOf } from '../../http/endpoint';
import { createUpstreamHttp, statusError, type UpstreamHttp } from '../../http/upstreamHttp';
import { NoPlannedChangesError, type PriceSheetRequest, type PriceSheetSource } from './source';
import { createPartnerCenterAuth, type AccessTokenProvider } from '../../http/partnerCenterAuth';
import { getPartnerCenterFile } from '../../http/partnerCenterFile';
import { asSourceError, reportingAs, SourceError } from '../../http/sourceErrors';

/**
 * Price sheets from the Partner Center API (`GET /v1.0/sales/pricesheets(...)/$value`). With
 * `Accept-Encoding: deflate` the service answers a zip holding one CSV instead of the plain CSV;
 * the bytes are handed on as received and the parser recognises either by its first bytes.
 */

function priceSheetUrl(baseUrl: string, request: PriceSheetRequest): string {
  const base = baseUrl.replace(/\/+$/, '');
  const sheet = `pricesheets(Market='${request.market}',PricesheetView='${request.view}')`;
  return `${base}/v1.0/sales/${sheet}/$value?${query(request)}`;
}

/** A month's list is Partner Center's history timeline of that month; it is stored as that day's current list. */
function query(request: PriceSheetRequest): string {
  return request.month === undefined ? `timeline=${request.timeline}` : `timeline=history&month=${request.month}`;
}

export function createPartnerCenterSource(
  settings: Settings,
  http: UpstreamHttp = createUpstreamHttp(settings),
  auth: AccessTokenProvider = createPartnerCenterAuth(settings, http),
): PriceSheetSource {
  return {
    name: 'partnercenter',
    history: true,
    async fetchPriceSheet(request, signal) {
      // The market goes into the URL path: two letters, nothing else.
      if (!/^[A-Z]{2}$/.test(request.market))
        throw new SourceError('the market must be a two-letter code such as US', request);
      // The month goes into the query: six digits, nothing else; a history month is a current list.
      if (request.month !== undefined && (request.timeline !== 'current' || !/^\d{6}$/.test(request.month)))
        throw new SourceError('a month must be YYYYMM, of the current timeline', request);
      const url = priceSheetUrl(settings.PARTNER_CENTER_BASE_URL, request);
      const what = `Partner Center ${endpointOf(url)}?${query(request)}`;
      try {
        const response = await getPartnerCenterFile(http, auth, url, signal);
        if (response.ok)
          return { body: reportingAs(request, response.body), format: 'partnercenter-csv', origin: what };
        if (response.status === 404 && request.view === 'updatedlicensebased' && request.timeline === 'future') {
          throw new NoPlannedChangesError(request);
        }
        throw statusError(what, response);
      } catch (error) {
        throw asSourceError(error, request);
      }
    },
  };
}
