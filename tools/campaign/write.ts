// Writes campaign.json and campaign.html into the report directory, and
// prints the RESULT line last (issue 18 item 3). The one file of the
// report that touches the disk or stdout.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderHtml } from './html.ts';
import { resultLine, summarize, type CampaignDoc } from './report.ts';

export async function writeReport(dir: string, doc: CampaignDoc): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'campaign.json'), `${JSON.stringify(doc, null, 2)}\n`);
  await writeFile(join(dir, 'campaign.html'), renderHtml(doc));
  const line = resultLine(summarize(doc));
  console.log(`report: ${join(dir, 'campaign.html')}`);
  console.log(line);
  return line;
}
