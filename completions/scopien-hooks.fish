# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_scopien_hooks_global_optspecs
    string join \n api-key= api-base= profile= config= json color= v/verbose q/quiet y/yes h/help V/version
end

function __fish_scopien_hooks_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_scopien_hooks_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_scopien_hooks_using_subcommand
    set -l cmd (__fish_scopien_hooks_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "events" -d 'List the webhook events with their descriptions'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "sign" -d 'Print the signature header value for a payload'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "verify" -d 'Check a signature against a payload (prints valid/invalid, exit 0/1)'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "send-test" -d 'Send signed test events to a URL, or ask the API to test a webhook (wh_…)'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "listen" -d 'Receive webhooks locally: verify, pretty-print, filter, save and forward'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "replay" -d 'Re-send deliveries saved by `listen --save`'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "create" -d 'Create a webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "list" -d 'List webhooks'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "get" -d 'Show one webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "update" -d 'Change a webhook (only the fields given are sent)'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "disable" -d 'Disable a webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "enable" -d 'Enable a webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "delete" -d 'Delete a webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "deliveries" -d 'Show a webhook\'s recent deliveries'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "redeliver" -d 'Retry one delivery'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "login" -d 'Save an API key to the config profile (checked first)'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "logout" -d 'Remove the API key from the config profile'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "emulate" -d 'Run the Scopien webhook service on this machine'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "trigger" -d 'Emit events on the emulator (POST /events)'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "config" -d 'Show the resolved settings and where each one comes from'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c scopien-hooks -n "__fish_scopien_hooks_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand events" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l secret -d 'Signing secret [env: SCOPIEN_WEBHOOK_SECRET]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l payload -d 'Payload file, or - for stdin [default: stdin]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l signature-format -d 'Header value format' -r -f -a "prefixed\t'`sha256=<hex>`, as the docs\' signature section sends it'
bare\t'Bare `<hex>`, as the docs\' quick-start receivers compare it'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l scheme -d 'Sign as this provider does, printing every header as \'Name: value\' [default: scopien, which prints the bare value]' -r -f -a "scopien\t'`X-Scopien-Signature: sha256=<hex>` of the raw body'
standard\t'Standard Webhooks (Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`'
github\t'GitHub: `X-Hub-Signature-256: sha256=<hex>` of the raw body'
stripe\t'Stripe: `Stripe-Signature: t=<ts>,v1=<hex>` of `{t}.{body}`'
shopify\t'Shopify: `X-Shopify-Hmac-Sha256: <base64>` of the raw body'
slack\t'Slack: `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=<hex>` of `v0:{ts}:{body}`'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l timestamp -d 'The signed timestamp, in Unix seconds, for schemes that sign one [default: now]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l id -d 'The message id Standard Webhooks signs (webhook-id) [default: a fresh msg_ id]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand sign" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l secret -d 'Secrets to try (valid if any matches) [env: SCOPIEN_WEBHOOK_SECRET]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l signature -d 'The scheme\'s signature header value (`sha256=<hex>` or bare hex for scopien)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -s H -l header -d 'A header the request carried, \'Name: value\' (repeatable; what the scheme signs besides the body)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l payload -d 'Payload file, or - for stdin [default: stdin]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l scheme -d 'Whose signature this is' -r -f -a "scopien\t'`X-Scopien-Signature: sha256=<hex>` of the raw body'
standard\t'Standard Webhooks (Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`'
github\t'GitHub: `X-Hub-Signature-256: sha256=<hex>` of the raw body'
stripe\t'Stripe: `Stripe-Signature: t=<ts>,v1=<hex>` of `{t}.{body}`'
shopify\t'Shopify: `X-Shopify-Hmac-Sha256: <base64>` of the raw body'
slack\t'Slack: `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=<hex>` of `v0:{ts}:{body}`'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l tolerance -d 'How far a signed timestamp may be from now, either way [default: 5m, for standard, stripe and slack]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand verify" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l event -d 'Event to send' -r -f -a "opportunity.created\t'New opportunity created'
opportunity.updated\t'Opportunity modified'
opportunity.deleted\t'Opportunity deleted'
opportunity.closed\t'Opportunity closed (won/lost)'
account.created\t'New account created'
account.updated\t'Account modified'
contact.created\t'New contact created'
contact.updated\t'Contact modified'
lead.created\t'New lead created'
lead.updated\t'Lead modified'
lead.converted\t'Lead converted'
case.created\t'New case created'
case.updated\t'Case modified'
case.closed\t'Case closed'
task.created\t'New task created'
task.completed\t'Task completed'
webhook.failed\t'A webhook was disabled after repeated delivery failures (service notification)'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l secret -d 'Signing secret [env: SCOPIEN_WEBHOOK_SECRET]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l data -d 'JSON merge-patch applied to the sample `data` (inline JSON, @file, or @- for stdin)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l payload -d 'Send this file\'s exact bytes as the body (- for stdin)' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l count -d 'Number of events to send' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l concurrency -d 'Requests in flight at once' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l rate -d 'Events per second, evenly paced' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l batch -d 'Events per request, wrapped as {"events":[…]}' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -s H -l header -d 'Extra header \'K: V\' (repeatable; cannot override the signature or Content-Type)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l timeout -d 'Per-request timeout' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l retry-schedule -d 'Waits before each attempt (the first is usually 0)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l time-scale -d 'Multiply every wait by F (for tests)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l signature-format -d 'Signature header format' -r -f -a "prefixed\t'`sha256=<hex>`, as the docs\' signature section sends it'
bare\t'Bare `<hex>`, as the docs\' quick-start receivers compare it'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l scheme -d 'Sign as this provider does (needs --payload: the built-in samples are Scopien events)' -r -f -a "scopien\t'`X-Scopien-Signature: sha256=<hex>` of the raw body'
standard\t'Standard Webhooks (Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`'
github\t'GitHub: `X-Hub-Signature-256: sha256=<hex>` of the raw body'
stripe\t'Stripe: `Stripe-Signature: t=<ts>,v1=<hex>` of `{t}.{body}`'
shopify\t'Shopify: `X-Shopify-Hmac-Sha256: <base64>` of the raw body'
slack\t'Slack: `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=<hex>` of `v0:{ts}:{body}`'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l retry -d 'Follow the retry schedule on a non-2xx answer or an error'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l dry-run -d 'Print the signed request as a curl command and send nothing'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand send-test" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l host -d 'Address to bind' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l port -d 'Port to bind (0: any free port)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l path -d 'Accept only this path (others get 404) [default: any path]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l secret -d 'Secrets to verify with (valid if any matches) [env: SCOPIEN_WEBHOOK_SECRET]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l scheme -d 'Whose deliveries these are: the signature headers checked, and where the event name is read' -r -f -a "scopien\t'`X-Scopien-Signature: sha256=<hex>` of the raw body'
standard\t'Standard Webhooks (Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`'
github\t'GitHub: `X-Hub-Signature-256: sha256=<hex>` of the raw body'
stripe\t'Stripe: `Stripe-Signature: t=<ts>,v1=<hex>` of `{t}.{body}`'
shopify\t'Shopify: `X-Shopify-Hmac-Sha256: <base64>` of the raw body'
slack\t'Slack: `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=<hex>` of `v0:{ts}:{body}`'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l forward-to -d 'Forward each accepted delivery to your app (URL, `4000` or `:4000/path`)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l route -d 'Forward events matching PATTERN to URL (first match wins; repeatable)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l forward-timeout -d 'Deadline for the forwarded request' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l events -d 'Show and forward only these events (patterns; others get 200 and are dimmed)' -r -f -a "opportunity.created\t'New opportunity created'
opportunity.updated\t'Opportunity modified'
opportunity.deleted\t'Opportunity deleted'
opportunity.closed\t'Opportunity closed (won/lost)'
account.created\t'New account created'
account.updated\t'Account modified'
contact.created\t'New contact created'
contact.updated\t'Contact modified'
lead.created\t'New lead created'
lead.updated\t'Lead modified'
lead.converted\t'Lead converted'
case.created\t'New case created'
case.updated\t'Case modified'
case.closed\t'Case closed'
task.created\t'New task created'
task.completed\t'Task completed'
webhook.failed\t'A webhook was disabled after repeated delivery failures (service notification)'
opportunity.*\t''
account.*\t''
contact.*\t''
lead.*\t''
case.*\t''
task.*\t''
webhook.*\t''"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l save -d 'Append each delivery as an NDJSON line to FILE' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l respond-status -d 'Answer accepted deliveries with this status' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l respond-delay -d 'Wait this long before answering' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l fail-first -d 'Answer 500 to the first N attempts of each event id' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l tolerance -d 'Reject payloads whose timestamp is older than DUR (replay guard); for standard, stripe and slack: how far the signed timestamp may be from now, either way [default: 5m for them]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l max-body -d 'Largest body accepted (413 above)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l max-events -d 'Exit 0 once N events have been accepted' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l timeout -d 'Exit 1 if --max-events is not reached within DUR' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l register -d 'Create a webhook for PUBLIC_URL with a fresh secret and verify with it' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l read-timeout -d 'Answer 408 to a request whose headers or body take longer than DUR to arrive' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l max-connections -d 'Most connections open at once (the rest wait to be accepted)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l inspect-port -d 'Inspector port (0: any free port)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l inspect-limit -d 'Requests the inspector keeps (the oldest go first)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l inspect-memory -d 'Memory the inspector\'s requests may take in all (the oldest go first)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l skip-verify -d 'Accept deliveries without checking signatures'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l no-dedupe -d 'Do not answer repeated event ids with `Already processed`'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l keep -d 'With --register: keep the webhook on exit'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l inspect -d 'Serve the web inspector on 127.0.0.1:4040 (or the next free port up to 4049)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand listen" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l to -d 'URL to send the deliveries to' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l event -d 'Only events matching these patterns' -r -f -a "opportunity.created\t'New opportunity created'
opportunity.updated\t'Opportunity modified'
opportunity.deleted\t'Opportunity deleted'
opportunity.closed\t'Opportunity closed (won/lost)'
account.created\t'New account created'
account.updated\t'Account modified'
contact.created\t'New contact created'
contact.updated\t'Contact modified'
lead.created\t'New lead created'
lead.updated\t'Lead modified'
lead.converted\t'Lead converted'
case.created\t'New case created'
case.updated\t'Case modified'
case.closed\t'Case closed'
task.created\t'New task created'
task.completed\t'Task completed'
webhook.failed\t'A webhook was disabled after repeated delivery failures (service notification)'
opportunity.*\t''
account.*\t''
contact.*\t''
lead.*\t''
case.*\t''
task.*\t''
webhook.*\t''"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l id -d 'Only these event ids' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l secret -d 'Re-sign each body with this secret instead of sending the saved signature' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l rate -d 'Deliveries per second' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l timeout -d 'Per-request timeout' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l signature-format -d 'Signature header format when re-signing' -r -f -a "prefixed\t'`sha256=<hex>`, as the docs\' signature section sends it'
bare\t'Bare `<hex>`, as the docs\' quick-start receivers compare it'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l scheme -d 'Whose signature headers the saved deliveries carry (replaced when re-signing with --secret)' -r -f -a "scopien\t'`X-Scopien-Signature: sha256=<hex>` of the raw body'
standard\t'Standard Webhooks (Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`'
github\t'GitHub: `X-Hub-Signature-256: sha256=<hex>` of the raw body'
stripe\t'Stripe: `Stripe-Signature: t=<ts>,v1=<hex>` of `{t}.{body}`'
shopify\t'Shopify: `X-Shopify-Hmac-Sha256: <base64>` of the raw body'
slack\t'Slack: `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=<hex>` of `v0:{ts}:{body}`'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand replay" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l url -d 'Endpoint URL (https://, or http:// on a loopback host)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l event -d 'Events to subscribe to (exact names, `type.*` or `*`)' -r -f -a "opportunity.created\t'New opportunity created'
opportunity.updated\t'Opportunity modified'
opportunity.deleted\t'Opportunity deleted'
opportunity.closed\t'Opportunity closed (won/lost)'
account.created\t'New account created'
account.updated\t'Account modified'
contact.created\t'New contact created'
contact.updated\t'Contact modified'
lead.created\t'New lead created'
lead.updated\t'Lead modified'
lead.converted\t'Lead converted'
case.created\t'New case created'
case.updated\t'Case modified'
case.closed\t'Case closed'
task.created\t'New task created'
task.completed\t'Task completed'
webhook.failed\t'A webhook was disabled after repeated delivery failures (service notification)'
opportunity.*\t''
account.*\t''
contact.*\t''
lead.*\t''
case.*\t''
task.*\t''
webhook.*\t''"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l description -d 'Description' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l secret -d 'Signing secret [default: generated by the API]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -s H -l header -d 'Custom header \'K: V\' added to every delivery (repeatable)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l filter -d 'Filter K=V on the event data (V is JSON when it parses; a repeated key makes a list)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l max-batch-size -d 'Events per batch (1-100)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l max-wait-time -d 'Seconds to wait before sending a partial batch' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l batch -d 'Deliver events in batches'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l allow-http -d 'Allow an http:// URL on a non-loopback host'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand create" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -l limit -d 'Page size asked of the API (all pages are fetched)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -l show-secret -d 'Show the signing secrets in full'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand list" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -l show-secret -d 'Show the signing secret in full'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand get" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l url -d 'New endpoint URL' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l event -d 'Replace the subscribed events' -r -f -a "opportunity.created\t'New opportunity created'
opportunity.updated\t'Opportunity modified'
opportunity.deleted\t'Opportunity deleted'
opportunity.closed\t'Opportunity closed (won/lost)'
account.created\t'New account created'
account.updated\t'Account modified'
contact.created\t'New contact created'
contact.updated\t'Contact modified'
lead.created\t'New lead created'
lead.updated\t'Lead modified'
lead.converted\t'Lead converted'
case.created\t'New case created'
case.updated\t'Case modified'
case.closed\t'Case closed'
task.created\t'New task created'
task.completed\t'Task completed'
webhook.failed\t'A webhook was disabled after repeated delivery failures (service notification)'
opportunity.*\t''
account.*\t''
contact.*\t''
lead.*\t''
case.*\t''
task.*\t''
webhook.*\t''"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l add-event -d 'Subscribe to more events' -r -f -a "opportunity.created\t'New opportunity created'
opportunity.updated\t'Opportunity modified'
opportunity.deleted\t'Opportunity deleted'
opportunity.closed\t'Opportunity closed (won/lost)'
account.created\t'New account created'
account.updated\t'Account modified'
contact.created\t'New contact created'
contact.updated\t'Contact modified'
lead.created\t'New lead created'
lead.updated\t'Lead modified'
lead.converted\t'Lead converted'
case.created\t'New case created'
case.updated\t'Case modified'
case.closed\t'Case closed'
task.created\t'New task created'
task.completed\t'Task completed'
webhook.failed\t'A webhook was disabled after repeated delivery failures (service notification)'
opportunity.*\t''
account.*\t''
contact.*\t''
lead.*\t''
case.*\t''
task.*\t''
webhook.*\t''"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l remove-event -d 'Unsubscribe from events' -r -f -a "opportunity.created\t'New opportunity created'
opportunity.updated\t'Opportunity modified'
opportunity.deleted\t'Opportunity deleted'
opportunity.closed\t'Opportunity closed (won/lost)'
account.created\t'New account created'
account.updated\t'Account modified'
contact.created\t'New contact created'
contact.updated\t'Contact modified'
lead.created\t'New lead created'
lead.updated\t'Lead modified'
lead.converted\t'Lead converted'
case.created\t'New case created'
case.updated\t'Case modified'
case.closed\t'Case closed'
task.created\t'New task created'
task.completed\t'Task completed'
webhook.failed\t'A webhook was disabled after repeated delivery failures (service notification)'
opportunity.*\t''
account.*\t''
contact.*\t''
lead.*\t''
case.*\t''
task.*\t''
webhook.*\t''"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l description -d 'New description' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -s H -l header -d 'Replace the custom headers (repeatable)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l filter -d 'Replace the filters (K=V, repeatable)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l max-batch-size -d 'Events per batch (1-100)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l max-wait-time -d 'Seconds to wait before sending a partial batch' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l clear-headers -d 'Remove every custom header'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l clear-filters -d 'Remove every filter'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l batch -d 'Turn batching on'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l no-batch -d 'Turn batching off'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l allow-http -d 'Allow an http:// URL on a non-loopback host'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand update" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand disable" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand enable" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand delete" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -l limit -d 'How many deliveries to show' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -l interval -d 'With --follow: time between polls' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -l follow -d 'Keep polling and print new attempts as they come'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand deliveries" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand redeliver" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand login" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand logout" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l api-key -d 'The key clients must send; every other key gets 401 [default: sk_test_emulator]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l host -d 'Address to bind' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l port -d 'Port to bind (0: any free port)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l db -d 'SQLite file, or a postgres:// URL shared by several emulators (env SCOPIEN_EMULATOR_DB) [default: a file in the user\'s data directory]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l time-scale -d 'Multiply retry waits and batch waits by F' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l delivery-timeout -d 'Deadline for each delivery attempt' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l max-rate -d 'Per-webhook delivery cap in events/s (batches: a tenth of it); 0 for no cap' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l retain -d 'Remove events whose deliveries have all ended once older than DUR (0: keep everything)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l read-timeout -d 'Answer 408 to a request whose headers or body take longer than DUR to arrive' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l max-connections -d 'Most connections open at once (the rest wait to be accepted)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l api-base -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l profile -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l config -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l in-memory -d 'Keep everything in memory (nothing survives a restart)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l allow-http -d 'Accept webhook URLs with plain http:// on a non-loopback host'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -s y -l yes
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand emulate" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -l data -d 'JSON merge-patch applied to the sample `data` (inline JSON or @file)' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -l count -d 'How many events to emit' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand trigger" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand config" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -l api-key -d 'API key for the management API [env: SCOPIEN_API_KEY]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -l api-base -d 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -l profile -d 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]' -r
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -l config -d 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]' -r -F
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t'Colour when the output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -l json -d 'Print machine-readable JSON on stdout (NDJSON for streams)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -s v -l verbose -d 'Show more detail (HTTP traces with -v)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -s q -l quiet -d 'Print only results and errors'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -s y -l yes -d 'Never prompt; assume yes where a confirmation is asked'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand completions" -s V -l version -d 'Print version'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "events" -d 'List the webhook events with their descriptions'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "sign" -d 'Print the signature header value for a payload'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "verify" -d 'Check a signature against a payload (prints valid/invalid, exit 0/1)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "send-test" -d 'Send signed test events to a URL, or ask the API to test a webhook (wh_…)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "listen" -d 'Receive webhooks locally: verify, pretty-print, filter, save and forward'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "replay" -d 'Re-send deliveries saved by `listen --save`'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "create" -d 'Create a webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "list" -d 'List webhooks'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "get" -d 'Show one webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "update" -d 'Change a webhook (only the fields given are sent)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "disable" -d 'Disable a webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "enable" -d 'Enable a webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "delete" -d 'Delete a webhook'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "deliveries" -d 'Show a webhook\'s recent deliveries'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "redeliver" -d 'Retry one delivery'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "login" -d 'Save an API key to the config profile (checked first)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "logout" -d 'Remove the API key from the config profile'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "emulate" -d 'Run the Scopien webhook service on this machine'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "trigger" -d 'Emit events on the emulator (POST /events)'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "config" -d 'Show the resolved settings and where each one comes from'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c scopien-hooks -n "__fish_scopien_hooks_using_subcommand help; and not __fish_seen_subcommand_from events sign verify send-test listen replay create list get update disable enable delete deliveries redeliver login logout emulate trigger config completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
