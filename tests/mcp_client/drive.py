"""Drives `quarry mcp` with the official MCP Python SDK, as an assistant's client would.

Reads a plan (JSON) on stdin:

    {"command": "/path/to/quarry", "args": ["mcp"], "env": {...}, "cwd": "...",
     "calls": [{"tool": "search", "arguments": {...}}, ...]}

starts the server through the SDK's stdio transport, initialises, lists the tools, makes
each call in order on the same session, and prints one JSON object on stdout:

    {"protocol_version": "...", "server": {...}, "tools": [...],
     "calls": [{"is_error": bool, "structured": ..., "text": "..."} or
               {"protocol_error": {"code": int, "message": "..."}}]}

The SDK checks what it receives: every result without `isError` is validated against the
tool's `outputSchema` (a mismatch fails the call, and so the Rust test that reads this).
The Rust integration tests (tests/integration/mcp.rs) make the assertions.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError


def dump(model):
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


async def main() -> None:
    plan = json.load(sys.stdin)
    params = StdioServerParameters(
        command=plan["command"],
        args=plan.get("args", []),
        env=plan.get("env"),
        cwd=plan.get("cwd"),
    )
    out = {"calls": []}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            out["protocol_version"] = init.protocol_version
            out["server"] = dump(init.server_info)
            out["instructions"] = init.instructions
            listed = await session.list_tools()
            out["tools"] = [dump(t) for t in listed.tools]
            for call in plan.get("calls", []):
                try:
                    r = await session.call_tool(call["tool"], call.get("arguments"))
                except MCPError as e:
                    out["calls"].append({"protocol_error": {"code": e.code, "message": e.message}})
                    continue
                text = "\n".join(c.text for c in r.content if getattr(c, "type", "") == "text")
                out["calls"].append(
                    {"is_error": bool(r.is_error), "structured": r.structured_content, "text": text}
                )
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    asyncio.run(main())
