import { faultOf } from '../../../proxy/fault.js';

const err = (code: string) => Object.assign(new Error(code), { code });

describe('faultOf', () => {
  it('maps errno to 502/504 and a catalogued code', () => {
    expect(faultOf(err('ECONNREFUSED'), 'new', false, 1000)).toMatchObject({ status: 502, code: 'STRANGLER_E_PROXY_CONNECT' });
    expect(faultOf(err('ENOTFOUND'), 'new', false, 1000)).toMatchObject({ status: 502, code: 'STRANGLER_E_PROXY_CONNECT' });
    expect(faultOf(err('ECONNRESET'), 'legacy', false, 1000)).toMatchObject({ status: 502, code: 'STRANGLER_E_PROXY_RESET' });
    expect(faultOf(err('HPE_INVALID_CONSTANT'), 'legacy', false, 1000)).toMatchObject({ status: 502, code: 'STRANGLER_E_PROXY_PROTOCOL' });
    expect(faultOf(err('ECONNRESET'), 'legacy', true, 1000)).toMatchObject({ status: 504, code: 'STRANGLER_E_PROXY_TIMEOUT', message: 'the legacy backend sent nothing for 1000 ms' });
  });
});
