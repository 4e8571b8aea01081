import { renderMarkdown, renderText } from "../../lib/verify/report";
import { verify } from "../../lib/verify/run";
import { QdhcpSshVmExecutor } from "../../lib/verify/vm-executor";
import { FakeNeutron, ReplayTransport, seedDescription } from "./fakes";

async function seedReport() {
  return verify(
    seedDescription(),
    { transport: new ReplayTransport(), neutron: new FakeNeutron(), vm: new QdhcpSshVmExecutor(), sleep: async () => undefined, now: () => new Date("2026-01-14T03:52:00Z") },
    { pings: 5 },
  );
}

describe("report rendering", () => {
  test("Markdown report of the replayed seed lab (snapshot; docs/VERIFY.md shows it as the sample)", async () => {
    expect(renderMarkdown(await seedReport())).toMatchSnapshot();
  });

  test("terminal table: the seed's columns, one line per row, evidence below", async () => {
    const text = renderText(await seedReport());
    const lines = text.split("\n");
    expect(lines[0]).toBe("dvr-lab verify: lab seed (zed) — PASS");
    expect(text).toMatch(/row\s+\| VMs' nodes\s+\| subnets\s+\| router\s+\| expected routing\s+\| OBSERVED\s+\| verdict/);
    expect(text).toMatch(/r1-cross-node\s+\| com1 -> com2\s+\| net-a -> net-b\s+\| r1 \(DVR\)\s+\| request: com1 qrouter; reply: com2 qrouter\s+\| request: com1 qrouter; reply: com2 qrouter\s+\| PASS/);
    expect(text).toContain("expected   com1 snat (r1): 5 marker packets forwarded, IpForwDatagrams +12");
    expect(text).toContain("DVR MACs: com1=fa:16:3f:1b:6e:01, com2=fa:16:3f:4c:92:02");
  });
});
