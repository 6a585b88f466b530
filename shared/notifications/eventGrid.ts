import fs from 'node:fs';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { EventGridPublisherClient, SendCloudEventInput } from '@azure/eventgrid';
import type { Settings } from '../config/settings';
import { identityCredential } from '../storage/clients';
import { eventGridSdk } from './sdk';

/**
 * Publishing to the app's Event Grid custom topic with the SDK's EventGridPublisherClient in the
 * CloudEvents schema: POST {endpoint}?api-version=2018-01-01, `application/cloudevents-batch+json`,
 * `Authorization: Bearer` a token for https://eventgrid.azure.net/.default from the app's managed
 * identity (role "EventGrid Data Sender" on the topic, infra/modules/notifications.bicep).
 * Locally a topic that speaks the same API (the tests' fake) is reached with a fixed token
 * (NOTIFY_EVENTGRID_LOCAL_TOKEN) and its own CA (NOTIFY_EVENTGRID_CA_FILE): the SDK sends bearer
 * tokens over https only.
 */

export type TopicPublisher = EventGridPublisherClient<'CloudEvent'>;

/** A token credential that always answers the configured token (a local topic checks only that it matches). */
function fixedToken(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}

export function topicPublisher(settings: Settings): TopicPublisher | null {
  const endpoint = settings.NOTIFY_EVENTGRID_ENDPOINT;
  if (!endpoint) return null;
  const credential = settings.NOTIFY_EVENTGRID_LOCAL_TOKEN
    ? fixedToken(settings.NOTIFY_EVENTGRID_LOCAL_TOKEN)
    : identityCredential(settings);
  const ca = settings.NOTIFY_EVENTGRID_CA_FILE ? fs.readFileSync(settings.NOTIFY_EVENTGRID_CA_FILE) : undefined;
  return new (eventGridSdk().EventGridPublisherClient)(endpoint, 'CloudEvent', credential, {
    // One attempt per call: the outbox schedules the retries and records each attempt.
    retryOptions: { maxRetries: 0 },
    ...(ca ? { tlsOptions: { ca } } : {}),
  });
}

/** An outbox event (CloudEvents JSON, structured mode) as the SDK takes it. */
export function topicEvent(body: string): SendCloudEventInput<unknown> {
  const event = JSON.parse(body) as {
    id: string;
    type: string;
    source: string;
    subject?: string;
    time: string;
    datacontenttype?: string;
    data?: unknown;
  };
  return {
    id: event.id,
    type: event.type,
    source: event.source,
    subject: event.subject,
    time: new Date(event.time),
    datacontenttype: event.datacontenttype,
    data: event.data,
  };
}
