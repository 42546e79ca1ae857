// The Status answers of refused CSR writes as a real kube-apiserver sends them (recorded by
// test/cluster/record-answers.sh; the fixture names the version). Nothing in src/ reads their text or
// field paths: decisions go by HTTP status, so 1.37's declaratively validated conditions (field path
// `status.conditions`, new wording) change no outcome. This pins that: each answer maps to the error
// code the callers branch on, and the message the user sees quotes the server on one line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { httpError } from '../../../src/kube/http-errors.js';

type Answer = { status: number; body: { reason: string; message: string } };
const fixture = path.resolve(import.meta.dirname, '../../../../test/unit/kube/fixtures/csr-status-answers.json');
const recorded = JSON.parse(readFileSync(fixture, 'utf8')) as { recordedFrom: string; answers: Record<string, Answer> };
const csrs = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

test('the fixture comes from the pinned release', () => {
  expect(recorded.recordedFrom).toBe('v1.37.2');
});

test.each([
  // the approver requeues and reads afresh; the plugin looks again for its CSR
  ['staleApproval', 'PUT', `${csrs}/r-stale/approval`, 'conflict', 409, 'Conflict'],
  ['createExisting', 'POST', csrs, 'conflict', 409, 'AlreadyExists'],
  ['deleteOtherUid', 'DELETE', `${csrs}/r-twice`, 'conflict', 409, 'Conflict'],
  // never written by the approver (it leaves decided CSRs alone): a server error, retried, quoted
  ['approvedAfterDenied', 'PUT', `${csrs}/r-stale/approval`, 'server', 422, 'Invalid'],
  ['secondApproved', 'PUT', `${csrs}/r-twice/approval`, 'server', 422, 'Invalid'],
])('%s: %s answered %s', (key, method, requestPath, code, status, reason) => {
  const answer = recorded.answers[key];
  expect(answer).toMatchObject({ status, body: { reason } });
  const error = httpError(answer!.status, JSON.stringify(answer!.body), { method, path: requestPath });
  expect(error.code).toBe(code);
  expect(error.message).not.toContain('\n');
  expect(error.message).toContain(answer!.body.message.slice(0, 60));
});

test('1.37 names the conditions field in its declarative validation message', () => {
  expect(recorded.answers.approvedAfterDenied?.body.message).toContain('status.conditions');
  expect(recorded.answers.secondApproved?.body.message).toContain('status.conditions[1].type: Duplicate value');
});
