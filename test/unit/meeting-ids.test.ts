import { assertSessionId, base32hex, conferenceRequestId, meetingEventId, sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';

const bytes = (text: string) => new TextEncoder().encode(text);

test.each([
  ['', ''],
  ['f', 'co'],
  ['fo', 'cpng'],
  ['foo', 'cpnmu'],
  ['foob', 'cpnmuog'],
  ['fooba', 'cpnmuoj1'],
  ['foobar', 'cpnmuoj1e8'],
])('base32hex(%j) is the RFC 4648 vector %j (lower case, unpadded)', (input, expected) => {
  expect(base32hex(bytes(input))).toBe(expected);
});

describe('meetingEventId', () => {
  test('is a valid Google event id: base32hex, 5 to 1024 characters', () => {
    for (const sessionId of ['a', 'cmwv0k90a00028y7d3gxueh0w', 'x'.repeat(100)]) {
      expect(meetingEventId(sessionId, 1)).toMatch(/^[a-v0-9]{5,1024}$/);
    }
  });

  test('is the same for the same session and generation, and differs otherwise', () => {
    expect(meetingEventId('s1', 1)).toBe(meetingEventId('s1', 1));
    expect(new Set([meetingEventId('s1', 1), meetingEventId('s1', 2), meetingEventId('s2', 1), meetingEventId('s11', 1)]).size).toBe(4);
  });

  test('decodes back to <sessionId>:<generation>', () => {
    const id = meetingEventId('cmwv0k90a00028y7d3gxueh0w', 3);
    const bits = [...id].map((c) => parseInt(c, 32).toString(2).padStart(5, '0')).join('');
    const decoded = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2))).toString('utf8');
    expect(decoded).toBe('cmwv0k90a00028y7d3gxueh0w:3');
  });
});

test('the conference request id is per session and generation', () => {
  expect(conferenceRequestId('s1', 1)).toBe('session-meeting-s1-g1');
  expect(conferenceRequestId('s1', 2)).not.toBe(conferenceRequestId('s1', 1));
});

test('the workflow id is the session id with a prefix', () => {
  expect(sessionMeetingWorkflowId('abc')).toBe('session-meeting-abc');
});

test.each([[''], ['has space'], ['semi;colon'], ['a:b'], ['x'.repeat(101)], [undefined], [42]])('session id %j is refused', (id) => {
  expect(() => assertSessionId(id)).toThrow(/sessionId must be/);
});
