// An Encore.ts app, as `encore app create` writes it. "id" is empty: not linked to Encore's platform,
// so Stagecraft keeps secrets in .secrets.local.cue (dev.encore_secrets.store: auto → local).
{
	"id": "",
	"lang": "typescript",
}
