import { isSecretSetting, redact, rememberSecrets } from '../../../shared/observability/redact';

describe('redact', () => {
  it('blanks bearer tokens and echoed Authorization headers, keeping the label', () => {
    expect(redact('HTTP 500: echo Bearer abc.def-123 end')).toBe('HTTP 500: echo Bearer [redacted] end');
    expect(redact('{"headers":{"authorization":"Bearer opaque-9f8e7d"}}')).toBe(
      '{"headers":{"authorization":"[redacted]"}}',
    );
    expect(redact('Authorization: Basic dXNlcjpwYXNz\nnext line')).toBe('Authorization: [redacted]\nnext line');
    expect(redact('Invalid Authorization header')).toBe('Invalid Authorization header');
  });

  it('blanks OAuth form fields and JSON properties', () => {
    expect(redact('grant_type=refresh_token&client_secret=s3cr3t&refresh_token=r3fr3sh&resource=x')).toBe(
      'grant_type=refresh_token&client_secret=[redacted]&refresh_token=[redacted]&resource=x',
    );
    expect(redact('{"access_token": "at-123", "expires_in": "3599"}')).toBe(
      '{"access_token": "[redacted]", "expires_in": "3599"}',
    );
  });

  it('blanks account keys, SAS signatures and JWTs', () => {
    expect(redact('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9v+YmFy==;EndpointSuffix=x')).toBe(
      'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=[redacted];EndpointSuffix=x',
    );
    expect(redact('GET https://a.blob.core.windows.net/c/b?sv=2024&sig=abc%2Bdef failed')).toBe(
      'GET https://a.blob.core.windows.net/c/b?sv=2024&sig=[redacted] failed',
    );
    expect(redact('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl here')).toBe('token [redacted] here');
  });

  it('blanks the values of secret settings wherever they are quoted', () => {
    rememberSecrets({ MY_APP_PASSWORD: 'correct-horse-battery', PRICES_MARKETS: 'US,DE', SHORT_TOKEN: 'abc' });
    expect(redact('login with correct-horse-battery refused')).toBe('login with [redacted] refused');
    // Values of ordinary settings stay, and values too short to be credentials are not looked for.
    expect(redact('markets US,DE; abc')).toBe('markets US,DE; abc');
  });

  it('treats names ending in KEY, SECRET, TOKEN or PASSWORD and the storage connection as secret', () => {
    for (const name of [
      'LOCAL_FUNCTION_KEY',
      'PARTNER_CENTER_APP_SECRET',
      'PARTNER_CENTER_REFRESH_TOKEN',
      'PAGING_TOKEN_SECRET',
      'SMTP_PASSWORD',
      'AzureWebJobsStorage',
    ])
      expect(isSecretSetting(name)).toBe(true);
    for (const name of ['PRICES_MARKETS', 'AzureWebJobsStorage__accountName', 'HTTP_TIMEOUT_SECONDS'])
      expect(isSecretSetting(name)).toBe(false);
  });
});
