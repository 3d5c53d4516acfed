
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'scopien-hooks' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'scopien-hooks'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'scopien-hooks' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'List the webhook events with their descriptions')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print the signature header value for a payload')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a signature against a payload (prints valid/invalid, exit 0/1)')
            [CompletionResult]::new('send-test', 'send-test', [CompletionResultType]::ParameterValue, 'Send signed test events to a URL, or ask the API to test a webhook (wh_…)')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Receive webhooks locally: verify, pretty-print, filter, save and forward')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Re-send deliveries saved by `listen --save`')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a webhook')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhooks')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one webhook')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a webhook (only the fields given are sent)')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable a webhook')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a webhook')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a webhook')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'Show a webhook''s recent deliveries')
            [CompletionResult]::new('redeliver', 'redeliver', [CompletionResultType]::ParameterValue, 'Retry one delivery')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Save an API key to the config profile (checked first)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the API key from the config profile')
            [CompletionResult]::new('emulate', 'emulate', [CompletionResultType]::ParameterValue, 'Run the Scopien webhook service on this machine')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Emit events on the emulator (POST /events)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the resolved settings and where each one comes from')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopien-hooks;events' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;sign' {
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Signing secret [env: SCOPIEN_WEBHOOK_SECRET]')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'Payload file, or - for stdin [default: stdin]')
            [CompletionResult]::new('--signature-format', '--signature-format', [CompletionResultType]::ParameterName, 'Header value format')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'Sign as this provider does, printing every header as ''Name: value'' [default: scopien, which prints the bare value]')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'The signed timestamp, in Unix seconds, for schemes that sign one [default: now]')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The message id Standard Webhooks signs (webhook-id) [default: a fresh msg_ id]')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;verify' {
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Secrets to try (valid if any matches) [env: SCOPIEN_WEBHOOK_SECRET]')
            [CompletionResult]::new('--signature', '--signature', [CompletionResultType]::ParameterName, 'The scheme''s signature header value (`sha256=<hex>` or bare hex for scopien)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A header the request carried, ''Name: value'' (repeatable; what the scheme signs besides the body)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A header the request carried, ''Name: value'' (repeatable; what the scheme signs besides the body)')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'Payload file, or - for stdin [default: stdin]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'Whose signature this is')
            [CompletionResult]::new('--tolerance', '--tolerance', [CompletionResultType]::ParameterName, 'How far a signed timestamp may be from now, either way [default: 5m, for standard, stripe and slack]')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;send-test' {
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Event to send')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Signing secret [env: SCOPIEN_WEBHOOK_SECRET]')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'JSON merge-patch applied to the sample `data` (inline JSON, @file, or @- for stdin)')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'Send this file''s exact bytes as the body (- for stdin)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Number of events to send')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Events per second, evenly paced')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Events per request, wrapped as {"events":[…]}')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header ''K: V'' (repeatable; cannot override the signature or Content-Type)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header ''K: V'' (repeatable; cannot override the signature or Content-Type)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout')
            [CompletionResult]::new('--retry-schedule', '--retry-schedule', [CompletionResultType]::ParameterName, 'Waits before each attempt (the first is usually 0)')
            [CompletionResult]::new('--time-scale', '--time-scale', [CompletionResultType]::ParameterName, 'Multiply every wait by F (for tests)')
            [CompletionResult]::new('--signature-format', '--signature-format', [CompletionResultType]::ParameterName, 'Signature header format')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'Sign as this provider does (needs --payload: the built-in samples are Scopien events)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Follow the retry schedule on a non-2xx answer or an error')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the signed request as a curl command and send nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;listen' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to bind (0: any free port)')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Accept only this path (others get 404) [default: any path]')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Secrets to verify with (valid if any matches) [env: SCOPIEN_WEBHOOK_SECRET]')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'Whose deliveries these are: the signature headers checked, and where the event name is read')
            [CompletionResult]::new('--forward-to', '--forward-to', [CompletionResultType]::ParameterName, 'Forward each accepted delivery to your app (URL, `4000` or `:4000/path`)')
            [CompletionResult]::new('--route', '--route', [CompletionResultType]::ParameterName, 'Forward events matching PATTERN to URL (first match wins; repeatable)')
            [CompletionResult]::new('--forward-timeout', '--forward-timeout', [CompletionResultType]::ParameterName, 'Deadline for the forwarded request')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Show and forward only these events (patterns; others get 200 and are dimmed)')
            [CompletionResult]::new('--save', '--save', [CompletionResultType]::ParameterName, 'Append each delivery as an NDJSON line to FILE')
            [CompletionResult]::new('--respond-status', '--respond-status', [CompletionResultType]::ParameterName, 'Answer accepted deliveries with this status')
            [CompletionResult]::new('--respond-delay', '--respond-delay', [CompletionResultType]::ParameterName, 'Wait this long before answering')
            [CompletionResult]::new('--fail-first', '--fail-first', [CompletionResultType]::ParameterName, 'Answer 500 to the first N attempts of each event id')
            [CompletionResult]::new('--tolerance', '--tolerance', [CompletionResultType]::ParameterName, 'Reject payloads whose timestamp is older than DUR (replay guard); for standard, stripe and slack: how far the signed timestamp may be from now, either way [default: 5m for them]')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest body accepted (413 above)')
            [CompletionResult]::new('--max-events', '--max-events', [CompletionResultType]::ParameterName, 'Exit 0 once N events have been accepted')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Exit 1 if --max-events is not reached within DUR')
            [CompletionResult]::new('--register', '--register', [CompletionResultType]::ParameterName, 'Create a webhook for PUBLIC_URL with a fresh secret and verify with it')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Answer 408 to a request whose headers or body take longer than DUR to arrive')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most connections open at once (the rest wait to be accepted)')
            [CompletionResult]::new('--inspect-port', '--inspect-port', [CompletionResultType]::ParameterName, 'Inspector port (0: any free port)')
            [CompletionResult]::new('--inspect-limit', '--inspect-limit', [CompletionResultType]::ParameterName, 'Requests the inspector keeps (the oldest go first)')
            [CompletionResult]::new('--inspect-memory', '--inspect-memory', [CompletionResultType]::ParameterName, 'Memory the inspector''s requests may take in all (the oldest go first)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--skip-verify', '--skip-verify', [CompletionResultType]::ParameterName, 'Accept deliveries without checking signatures')
            [CompletionResult]::new('--no-dedupe', '--no-dedupe', [CompletionResultType]::ParameterName, 'Do not answer repeated event ids with `Already processed`')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'With --register: keep the webhook on exit')
            [CompletionResult]::new('--inspect', '--inspect', [CompletionResultType]::ParameterName, 'Serve the web inspector on 127.0.0.1:4040 (or the next free port up to 4049)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;replay' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'URL to send the deliveries to')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Only events matching these patterns')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Only these event ids')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Re-sign each body with this secret instead of sending the saved signature')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Deliveries per second')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout')
            [CompletionResult]::new('--signature-format', '--signature-format', [CompletionResultType]::ParameterName, 'Signature header format when re-signing')
            [CompletionResult]::new('--scheme', '--scheme', [CompletionResultType]::ParameterName, 'Whose signature headers the saved deliveries carry (replaced when re-signing with --secret)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;create' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Endpoint URL (https://, or http:// on a loopback host)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Events to subscribe to (exact names, `type.*` or `*`)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'Description')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Signing secret [default: generated by the API]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Custom header ''K: V'' added to every delivery (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Custom header ''K: V'' added to every delivery (repeatable)')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Filter K=V on the event data (V is JSON when it parses; a repeated key makes a list)')
            [CompletionResult]::new('--max-batch-size', '--max-batch-size', [CompletionResultType]::ParameterName, 'Events per batch (1-100)')
            [CompletionResult]::new('--max-wait-time', '--max-wait-time', [CompletionResultType]::ParameterName, 'Seconds to wait before sending a partial batch')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Deliver events in batches')
            [CompletionResult]::new('--allow-http', '--allow-http', [CompletionResultType]::ParameterName, 'Allow an http:// URL on a non-loopback host')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Page size asked of the API (all pages are fetched)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--show-secret', '--show-secret', [CompletionResultType]::ParameterName, 'Show the signing secrets in full')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;get' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--show-secret', '--show-secret', [CompletionResultType]::ParameterName, 'Show the signing secret in full')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;update' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'New endpoint URL')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Replace the subscribed events')
            [CompletionResult]::new('--add-event', '--add-event', [CompletionResultType]::ParameterName, 'Subscribe to more events')
            [CompletionResult]::new('--remove-event', '--remove-event', [CompletionResultType]::ParameterName, 'Unsubscribe from events')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'New description')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Replace the custom headers (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Replace the custom headers (repeatable)')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Replace the filters (K=V, repeatable)')
            [CompletionResult]::new('--max-batch-size', '--max-batch-size', [CompletionResultType]::ParameterName, 'Events per batch (1-100)')
            [CompletionResult]::new('--max-wait-time', '--max-wait-time', [CompletionResultType]::ParameterName, 'Seconds to wait before sending a partial batch')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--clear-headers', '--clear-headers', [CompletionResultType]::ParameterName, 'Remove every custom header')
            [CompletionResult]::new('--clear-filters', '--clear-filters', [CompletionResultType]::ParameterName, 'Remove every filter')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Turn batching on')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Turn batching off')
            [CompletionResult]::new('--allow-http', '--allow-http', [CompletionResultType]::ParameterName, 'Allow an http:// URL on a non-loopback host')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;disable' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;enable' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;delete' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;deliveries' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many deliveries to show')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'With --follow: time between polls')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep polling and print new attempts as they come')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;redeliver' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;login' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;logout' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;emulate' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The key clients must send; every other key gets 401 [default: sk_test_emulator]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to bind (0: any free port)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite file, or a postgres:// URL shared by several emulators (env SCOPIEN_EMULATOR_DB) [default: a file in the user''s data directory]')
            [CompletionResult]::new('--time-scale', '--time-scale', [CompletionResultType]::ParameterName, 'Multiply retry waits and batch waits by F')
            [CompletionResult]::new('--delivery-timeout', '--delivery-timeout', [CompletionResultType]::ParameterName, 'Deadline for each delivery attempt')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'Per-webhook delivery cap in events/s (batches: a tenth of it); 0 for no cap')
            [CompletionResult]::new('--retain', '--retain', [CompletionResultType]::ParameterName, 'Remove events whose deliveries have all ended once older than DUR (0: keep everything)')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Answer 408 to a request whose headers or body take longer than DUR to arrive')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most connections open at once (the rest wait to be accepted)')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'api-base')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'profile')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'config')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--in-memory', '--in-memory', [CompletionResultType]::ParameterName, 'Keep everything in memory (nothing survives a restart)')
            [CompletionResult]::new('--allow-http', '--allow-http', [CompletionResultType]::ParameterName, 'Accept webhook URLs with plain http:// on a non-loopback host')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;trigger' {
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'JSON merge-patch applied to the sample `data` (inline JSON or @file)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many events to emit')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;config' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;completions' {
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for the management API [env: SCOPIEN_API_KEY]')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'Base URL of the management API [env: SCOPIEN_API_BASE] [default: https://api.scopien.com/v1]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Config profile to use [env: SCOPIEN_PROFILE] [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [env: SCOPIEN_CONFIG] [default: $XDG_CONFIG_HOME/scopien-hooks/config.toml]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (NDJSON for streams)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (HTTP traces with -v)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Never prompt; assume yes where a confirmation is asked')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'scopien-hooks;help' {
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'List the webhook events with their descriptions')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print the signature header value for a payload')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a signature against a payload (prints valid/invalid, exit 0/1)')
            [CompletionResult]::new('send-test', 'send-test', [CompletionResultType]::ParameterValue, 'Send signed test events to a URL, or ask the API to test a webhook (wh_…)')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Receive webhooks locally: verify, pretty-print, filter, save and forward')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Re-send deliveries saved by `listen --save`')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a webhook')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhooks')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one webhook')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a webhook (only the fields given are sent)')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable a webhook')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a webhook')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a webhook')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'Show a webhook''s recent deliveries')
            [CompletionResult]::new('redeliver', 'redeliver', [CompletionResultType]::ParameterValue, 'Retry one delivery')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Save an API key to the config profile (checked first)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the API key from the config profile')
            [CompletionResult]::new('emulate', 'emulate', [CompletionResultType]::ParameterValue, 'Run the Scopien webhook service on this machine')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Emit events on the emulator (POST /events)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the resolved settings and where each one comes from')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'scopien-hooks;help;events' {
            break
        }
        'scopien-hooks;help;sign' {
            break
        }
        'scopien-hooks;help;verify' {
            break
        }
        'scopien-hooks;help;send-test' {
            break
        }
        'scopien-hooks;help;listen' {
            break
        }
        'scopien-hooks;help;replay' {
            break
        }
        'scopien-hooks;help;create' {
            break
        }
        'scopien-hooks;help;list' {
            break
        }
        'scopien-hooks;help;get' {
            break
        }
        'scopien-hooks;help;update' {
            break
        }
        'scopien-hooks;help;disable' {
            break
        }
        'scopien-hooks;help;enable' {
            break
        }
        'scopien-hooks;help;delete' {
            break
        }
        'scopien-hooks;help;deliveries' {
            break
        }
        'scopien-hooks;help;redeliver' {
            break
        }
        'scopien-hooks;help;login' {
            break
        }
        'scopien-hooks;help;logout' {
            break
        }
        'scopien-hooks;help;emulate' {
            break
        }
        'scopien-hooks;help;trigger' {
            break
        }
        'scopien-hooks;help;config' {
            break
        }
        'scopien-hooks;help;completions' {
            break
        }
        'scopien-hooks;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
