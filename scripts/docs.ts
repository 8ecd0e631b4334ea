/**
 * `npm run docs`: regenerates README's column tables from the record types' doc comments.
 * With --check, exits 1 when README is out of date (used by test/export/readme_columns.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { columnTable, docsOf } from '../src/export/columns_doc.js';
import {
  CREDENTIAL_COLUMNS, DHCP_COLUMNS, DNS_COLUMNS, FINDING_COLUMNS, FLOW_COLUMNS, FTP_COLUMNS, HTTP_COLUMNS, INTEL_COLUMNS, SMTP_COLUMNS, SSH_COLUMNS, TLS_COLUMNS,
} from '../src/export/tables.js';
import { FILE_COLUMNS } from '../src/export/files.js';

const root = join(import.meta.dirname, '..');
const records = join(root, 'src', 'app', 'records.ts');
const conn = join(root, 'src', 'flow', 'conn.ts');
const finding = join(root, 'src', 'findings', 'finding.ts');
const intel = join(root, 'src', 'detect', 'intel.ts');
const files = join(root, 'src', 'export', 'files.ts');

export function tables(): Record<string, string> {
  return {
    'flows.csv': columnTable(FLOW_COLUMNS, docsOf(conn, 'ConnRecord')),
    'dns.csv': columnTable(DNS_COLUMNS, [...docsOf(records, 'DnsRecord', 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
    'tls.csv': columnTable(TLS_COLUMNS, [...docsOf(records, 'TlsRecord', 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
    'http.csv': columnTable(HTTP_COLUMNS, [...docsOf(records, 'HttpRecord', 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
    'ssh.csv': columnTable(SSH_COLUMNS, [...docsOf(records, 'SshRecord', 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
    'ftp.csv': columnTable(FTP_COLUMNS, [...docsOf(records, 'FtpRecord', 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
    'smtp.csv': columnTable(SMTP_COLUMNS, [...docsOf(records, 'SmtpRecord', 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
    'credentials.csv': columnTable(CREDENTIAL_COLUMNS, [...docsOf(records, 'CredentialRecord', 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
    'files.csv': columnTable(FILE_COLUMNS, [...docsOf(files, 'FileRow'), ...docsOf(records, 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
    'dhcp.csv': columnTable(DHCP_COLUMNS, [...docsOf(records, 'DhcpRecord', 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
    'findings.csv': columnTable(FINDING_COLUMNS, docsOf(finding, 'Finding')),
    'intel.csv': columnTable(INTEL_COLUMNS, [...docsOf(intel, 'IntelMatch'), ...docsOf(records, 'FlowRef'), ...docsOf(conn, 'ConnRecord')]),
  };
}

/** README with every `<!-- columns:NAME -->…<!-- /columns -->` block regenerated. */
export function renderReadme(readme: string): string {
  const t = tables();
  return readme.replace(/<!-- columns:([\w.]+) -->[\s\S]*?<!-- \/columns -->/g, (whole, name: string) => {
    const table = t[name];
    return table === undefined ? whole : `<!-- columns:${name} -->\n${table}\n<!-- /columns -->`;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = join(root, 'README.md');
  const current = readFileSync(path, 'utf8');
  const next = renderReadme(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('README.md column tables are out of date: run npm run docs\n');
      process.exit(1);
    }
  } else writeFileSync(path, next);
}
