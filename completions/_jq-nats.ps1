
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'jq-nats' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'jq-nats'
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
        'jq-nats' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('context', 'context', [CompletionResultType]::ParameterValue, 'Show how jq-nats connects: each setting and where it came from')
            [CompletionResult]::new('stream', 'stream', [CompletionResultType]::ParameterValue, 'Create, inspect and remove work-queue streams and their dead-letter queues')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Enqueue jobs from an argument, a template or stdin')
            [CompletionResult]::new('work', 'work', [CompletionResultType]::ParameterValue, 'Run a worker: pull jobs, run a handler, ack, retry with backoff, dead-letter')
            [CompletionResult]::new('dlq', 'dlq', [CompletionResultType]::ParameterValue, 'Dead jobs: list, inspect, replay, drain, purge, and bring parked jobs in')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole job-queue scenario on a throwaway server: streams, 20 orders, two failing workers, retries, the DLQ')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Completion candidates from the server, one per line, for the completion scripts')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jq-nats;context' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show the resolved connection settings and their sources (the default)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jq-nats;context;info' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;context;help' {
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show the resolved connection settings and their sources (the default)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jq-nats;context;help;info' {
            break
        }
        'jq-nats;context;help;help' {
            break
        }
        'jq-nats;stream' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a work-queue stream and its dead-letter stream')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change an existing stream''s settings')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List streams with their queue health')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show one stream''s settings and queue health')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a stream, and its dead-letter stream')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jq-nats;stream;add' {
            [CompletionResult]::new('--subjects', '--subjects', [CompletionResultType]::ParameterName, 'Subjects the stream captures, comma-separated or repeated')
            [CompletionResult]::new('--storage', '--storage', [CompletionResultType]::ParameterName, 'Storage backend [default: file]')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'Number of replicas [default: 1]')
            [CompletionResult]::new('--retention', '--retention', [CompletionResultType]::ParameterName, 'Retention policy [default: work]')
            [CompletionResult]::new('--discard', '--discard', [CompletionResultType]::ParameterName, 'What to do when the stream is full [default: new, refuse new jobs]')
            [CompletionResult]::new('--max-msgs', '--max-msgs', [CompletionResultType]::ParameterName, 'Most messages kept, -1 for unlimited [default: -1]')
            [CompletionResult]::new('--max-msgs-per-subject', '--max-msgs-per-subject', [CompletionResultType]::ParameterName, 'Most jobs kept per subject, -1 for unlimited; with discard new, a subject at its limit refuses new jobs [default: -1]')
            [CompletionResult]::new('--max-bytes', '--max-bytes', [CompletionResultType]::ParameterName, 'Most bytes kept, like 256MB or 1GiB, -1 for unlimited [default: 256MB]')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'Oldest message kept, like 24h, -1 for unlimited [default: -1]')
            [CompletionResult]::new('--max-msg-size', '--max-msg-size', [CompletionResultType]::ParameterName, 'Largest message accepted, like 1MiB, -1 for unlimited [default: 1MiB]')
            [CompletionResult]::new('--dupe-window', '--dupe-window', [CompletionResultType]::ParameterName, 'Window in which a repeated Nats-Msg-Id is dropped as a duplicate, at most the max age [default: 2m, or the max age if shorter]')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'Stream description')
            [CompletionResult]::new('--dlq', '--dlq', [CompletionResultType]::ParameterName, 'Name of the dead-letter stream [default: NAME_dlq]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--deny-delete', '--deny-delete', [CompletionResultType]::ParameterName, 'Refuse deleting single messages [default: no]')
            [CompletionResult]::new('--no-deny-delete', '--no-deny-delete', [CompletionResultType]::ParameterName, 'Allow deleting single messages')
            [CompletionResult]::new('--deny-purge', '--deny-purge', [CompletionResultType]::ParameterName, 'Refuse purging the stream [default: no]')
            [CompletionResult]::new('--no-deny-purge', '--no-deny-purge', [CompletionResultType]::ParameterName, 'Allow purging the stream')
            [CompletionResult]::new('--allow-direct', '--allow-direct', [CompletionResultType]::ParameterName, 'Allow direct get of messages [default: yes]')
            [CompletionResult]::new('--no-allow-direct', '--no-allow-direct', [CompletionResultType]::ParameterName, 'Refuse direct get of messages')
            [CompletionResult]::new('--no-dlq', '--no-dlq', [CompletionResultType]::ParameterName, 'Do not create a dead-letter stream')
            [CompletionResult]::new('--update', '--update', [CompletionResultType]::ParameterName, 'Apply settings that differ from the existing stream''s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;stream;edit' {
            [CompletionResult]::new('--subjects', '--subjects', [CompletionResultType]::ParameterName, 'Subjects the stream captures, comma-separated or repeated')
            [CompletionResult]::new('--storage', '--storage', [CompletionResultType]::ParameterName, 'Storage backend [default: file]')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'Number of replicas [default: 1]')
            [CompletionResult]::new('--retention', '--retention', [CompletionResultType]::ParameterName, 'Retention policy [default: work]')
            [CompletionResult]::new('--discard', '--discard', [CompletionResultType]::ParameterName, 'What to do when the stream is full [default: new, refuse new jobs]')
            [CompletionResult]::new('--max-msgs', '--max-msgs', [CompletionResultType]::ParameterName, 'Most messages kept, -1 for unlimited [default: -1]')
            [CompletionResult]::new('--max-msgs-per-subject', '--max-msgs-per-subject', [CompletionResultType]::ParameterName, 'Most jobs kept per subject, -1 for unlimited; with discard new, a subject at its limit refuses new jobs [default: -1]')
            [CompletionResult]::new('--max-bytes', '--max-bytes', [CompletionResultType]::ParameterName, 'Most bytes kept, like 256MB or 1GiB, -1 for unlimited [default: 256MB]')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'Oldest message kept, like 24h, -1 for unlimited [default: -1]')
            [CompletionResult]::new('--max-msg-size', '--max-msg-size', [CompletionResultType]::ParameterName, 'Largest message accepted, like 1MiB, -1 for unlimited [default: 1MiB]')
            [CompletionResult]::new('--dupe-window', '--dupe-window', [CompletionResultType]::ParameterName, 'Window in which a repeated Nats-Msg-Id is dropped as a duplicate, at most the max age [default: 2m, or the max age if shorter]')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'Stream description')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--deny-delete', '--deny-delete', [CompletionResultType]::ParameterName, 'Refuse deleting single messages [default: no]')
            [CompletionResult]::new('--no-deny-delete', '--no-deny-delete', [CompletionResultType]::ParameterName, 'Allow deleting single messages')
            [CompletionResult]::new('--deny-purge', '--deny-purge', [CompletionResultType]::ParameterName, 'Refuse purging the stream [default: no]')
            [CompletionResult]::new('--no-deny-purge', '--no-deny-purge', [CompletionResultType]::ParameterName, 'Allow purging the stream')
            [CompletionResult]::new('--allow-direct', '--allow-direct', [CompletionResultType]::ParameterName, 'Allow direct get of messages [default: yes]')
            [CompletionResult]::new('--no-allow-direct', '--no-allow-direct', [CompletionResultType]::ParameterName, 'Refuse direct get of messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;stream;ls' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Show streams made by anyone, not only work-queue streams')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Show streams made by anyone, not only work-queue streams')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;stream;info' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;stream;rm' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Delete without asking (required when stdin is not a terminal)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Delete without asking (required when stdin is not a terminal)')
            [CompletionResult]::new('--keep-dlq', '--keep-dlq', [CompletionResultType]::ParameterName, 'Keep the dead-letter stream')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;stream;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a work-queue stream and its dead-letter stream')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change an existing stream''s settings')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List streams with their queue health')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show one stream''s settings and queue health')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a stream, and its dead-letter stream')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jq-nats;stream;help;add' {
            break
        }
        'jq-nats;stream;help;edit' {
            break
        }
        'jq-nats;stream;help;ls' {
            break
        }
        'jq-nats;stream;help;info' {
            break
        }
        'jq-nats;stream;help;rm' {
            break
        }
        'jq-nats;stream;help;help' {
            break
        }
        'jq-nats;publish' {
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Publish the body this many times, expanding templates each time ({{Count}} is 1..N)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Header as KEY:VALUE, repeatable; values may use templates')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Header as KEY:VALUE, repeatable; values may use templates')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Nats-Msg-Id template, for de-duplication within the stream''s window; a job with an id is also resent safely when its acknowledgement times out. From stdin, {{Count}} is the input line number')
            [CompletionResult]::new('--send-on', '--send-on', [CompletionResultType]::ParameterName, 'How stdin is split into jobs: a job per line (empty lines are skipped), or all of stdin as one job. Bytes are kept exactly; a line loses its "\n" and a "\r" before it')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Publishes awaiting their acknowledgement at once (at most 5000, the client''s limit)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;work' {
            [CompletionResult]::new('--pipe-inflight', '--pipe-inflight', [CompletionResultType]::ParameterName, 'Jobs a --pipe handler may hold unanswered at once')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'Send each job as a NATS request to SUBJECT, where services answer it (see REQUEST HANDLERS below), instead of running a command')
            [CompletionResult]::new('--consumer', '--consumer', [CompletionResultType]::ParameterName, 'Durable consumer name')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Only take jobs whose subject matches')
            [CompletionResult]::new('--max-deliver', '--max-deliver', [CompletionResultType]::ParameterName, 'Attempts per job before it is dead-lettered, -1 for unlimited [default: 2, or the consumer''s]')
            [CompletionResult]::new('--backoff', '--backoff', [CompletionResultType]::ParameterName, 'Delays before each retry, comma-separated, the last one repeating; at most max-deliver - 1 steps. The server also takes the first step as the ack wait [default: 5s, or the consumer''s]')
            [CompletionResult]::new('--ack-wait', '--ack-wait', [CompletionResultType]::ParameterName, 'How long a delivered job may go unacknowledged before it is redelivered; with a backoff it must equal the first step [default: the first backoff step, or the consumer''s]')
            [CompletionResult]::new('--max-ack-pending', '--max-ack-pending', [CompletionResultType]::ParameterName, 'Most jobs delivered and not yet acknowledged, over all workers, -1 for unlimited [default: 1000, or the consumer''s]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Jobs run at once in this process')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Jobs run at once in this process')
            [CompletionResult]::new('--fatal-exit-code', '--fatal-exit-code', [CompletionResultType]::ParameterName, 'Handler exit code meaning "do not retry": the job goes to the dead-letter queue now (with no dead-letter stream taking copies, it is retried like any failure)')
            [CompletionResult]::new('--handler-timeout', '--handler-timeout', [CompletionResultType]::ParameterName, 'Kill a handler (its whole process group) that runs longer, counting a failure; with --pipe, the longest a job may go unanswered once every job written before it was answered (the handler is restarted); with --request, how long to wait for a reply [default with --request: 30s]')
            [CompletionResult]::new('--max-jobs', '--max-jobs', [CompletionResultType]::ParameterName, 'Stop after this many jobs were finished (done or dead)')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'On SIGINT/SIGTERM, how long running handlers may take to finish')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--pipe', '--pipe', [CompletionResultType]::ParameterName, 'Keep COMMAND running (--concurrency copies) and give it jobs as JSON lines on its stdin, one JSON answer line per job on its stdout (see PIPE PROTOCOL below)')
            [CompletionResult]::new('--until-empty', '--until-empty', [CompletionResultType]::ParameterName, 'Exit once nothing is waiting or in flight, retries included')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;dlq' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List dead jobs: sequence, subject, attempts, reason, age, and where the payload is')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one dead job whole: why it died, its headers, its history and its payload')
            [CompletionResult]::new('drain', 'drain', [CompletionResultType]::ParameterValue, 'Process every dead job once, with a command or by writing it out, then exit')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Publish dead jobs again to their original subjects, then remove them from the DLQ')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete dead jobs for good')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'Copy parked jobs into the DLQ and free the work stream; clean up duplicate entries')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jq-nats;dlq;ls' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'Only jobs whose original subject matches (wildcards allowed)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only jobs that died at or after this time: RFC 3339, or a duration ago like 1h')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only jobs that died before this time: RFC 3339, or a duration ago like 30m')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Only jobs whose reason matches this regular expression')
            [CompletionResult]::new('--min-attempts', '--min-attempts', [CompletionResultType]::ParameterName, 'Only jobs tried at least N times')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;dlq;show' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Write only the payload, byte for byte')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;dlq;drain' {
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Stop after N dead jobs')
            [CompletionResult]::new('--handler-timeout', '--handler-timeout', [CompletionResultType]::ParameterName, 'Kill COMMAND (its whole process group) when it runs longer, counting a failure')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be drained, change nothing')
            [CompletionResult]::new('--skip-interrupted', '--skip-interrupted', [CompletionResultType]::ParameterName, 'Leave jobs an interrupted drain may have processed in the DLQ instead of running them again (by default they run again, with a warning: at least once)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;dlq;replay' {
            [CompletionResult]::new('--seq', '--seq', [CompletionResultType]::ParameterName, 'Dead job by its sequence in the work stream, comma-separated or repeated')
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'Only jobs whose original subject matches (wildcards allowed)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only jobs that died at or after this time: RFC 3339, or a duration ago like 1h')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only jobs that died before this time: RFC 3339, or a duration ago like 30m')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Only jobs whose reason matches this regular expression')
            [CompletionResult]::new('--min-attempts', '--min-attempts', [CompletionResultType]::ParameterName, 'Only jobs tried at least N times')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Most jobs published per second, as N or N/s')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every dead job (filters still apply)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be replayed, change nothing')
            [CompletionResult]::new('--edit', '--edit', [CompletionResultType]::ParameterName, 'Open $VISUAL or $EDITOR on each payload before it is published')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;dlq;purge' {
            [CompletionResult]::new('--seq', '--seq', [CompletionResultType]::ParameterName, 'Dead job by its sequence in the work stream, comma-separated or repeated')
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'Only jobs whose original subject matches (wildcards allowed)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only jobs that died at or after this time: RFC 3339, or a duration ago like 1h')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only jobs that died before this time: RFC 3339, or a duration ago like 30m')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Only jobs whose reason matches this regular expression')
            [CompletionResult]::new('--min-attempts', '--min-attempts', [CompletionResultType]::ParameterName, 'Only jobs tried at least N times')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every dead job (filters still apply)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Delete without asking (required when stdin is not a terminal)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Delete without asking (required when stdin is not a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted, change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;dlq;reconcile' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change, change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;dlq;help' {
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List dead jobs: sequence, subject, attempts, reason, age, and where the payload is')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one dead job whole: why it died, its headers, its history and its payload')
            [CompletionResult]::new('drain', 'drain', [CompletionResultType]::ParameterValue, 'Process every dead job once, with a command or by writing it out, then exit')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Publish dead jobs again to their original subjects, then remove them from the DLQ')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete dead jobs for good')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'Copy parked jobs into the DLQ and free the work stream; clean up duplicate entries')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jq-nats;dlq;help;ls' {
            break
        }
        'jq-nats;dlq;help;show' {
            break
        }
        'jq-nats;dlq;help;drain' {
            break
        }
        'jq-nats;dlq;help;replay' {
            break
        }
        'jq-nats;dlq;help;purge' {
            break
        }
        'jq-nats;dlq;help;reconcile' {
            break
        }
        'jq-nats;dlq;help;help' {
            break
        }
        'jq-nats;completions' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;demo' {
            [CompletionResult]::new('--backoff', '--backoff', [CompletionResultType]::ParameterName, 'Delay before a failed job''s retry, as the consumer''s BackOff')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Orders to publish')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Workers run side by side')
            [CompletionResult]::new('--failure-rate', '--failure-rate', [CompletionResultType]::ParameterName, 'Percentage of attempts the handler fails')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Name of the work stream; its subjects are PREFIX.* where PREFIX is the name without `_stream`')
            [CompletionResult]::new('--server-bin', '--server-bin', [CompletionResultType]::ParameterName, 'The nats-server binary for the throwaway server [default: nats-server on PATH]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Replay the dead jobs to the work stream (and run them again) instead of draining them')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'With --server, leave the streams in place afterwards, to look at them')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;__complete' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'NATS server URLs, comma-separated')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username, or a token when no password is given')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Authentication token')
            [CompletionResult]::new('--creds', '--creds', [CompletionResultType]::ParameterName, 'User credentials file (JWT and seed)')
            [CompletionResult]::new('--nkey', '--nkey', [CompletionResultType]::ParameterName, 'User NKEY seed file')
            [CompletionResult]::new('--tlscert', '--tlscert', [CompletionResultType]::ParameterName, 'TLS client certificate file')
            [CompletionResult]::new('--tlskey', '--tlskey', [CompletionResultType]::ParameterName, 'TLS client private key file')
            [CompletionResult]::new('--tlsca', '--tlsca', [CompletionResultType]::ParameterName, 'TLS certificate authority chain file, trusted to verify the server')
            [CompletionResult]::new('--tlsfirst', '--tlsfirst', [CompletionResultType]::ParameterName, 'Open the connection with a TLS handshake before the server''s INFO')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for the connection and for each request [default: 5s]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'natscli context to use: a name, or a path to a context .json file')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Ignore natscli contexts, even the selected one')
            [CompletionResult]::new('--js-domain', '--js-domain', [CompletionResultType]::ParameterName, 'JetStream domain')
            [CompletionResult]::new('--js-api-prefix', '--js-api-prefix', [CompletionResultType]::ParameterName, 'JetStream API subject prefix')
            [CompletionResult]::new('--inbox-prefix', '--inbox-prefix', [CompletionResultType]::ParameterName, 'Custom inbox prefix for replies')
            [CompletionResult]::new('--connection-name', '--connection-name', [CompletionResultType]::ParameterName, 'Name of the connection, as the server shows it [default: jq-nats]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results as JSON (NDJSON for streaming commands)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jq-nats;help' {
            [CompletionResult]::new('context', 'context', [CompletionResultType]::ParameterValue, 'Show how jq-nats connects: each setting and where it came from')
            [CompletionResult]::new('stream', 'stream', [CompletionResultType]::ParameterValue, 'Create, inspect and remove work-queue streams and their dead-letter queues')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Enqueue jobs from an argument, a template or stdin')
            [CompletionResult]::new('work', 'work', [CompletionResultType]::ParameterValue, 'Run a worker: pull jobs, run a handler, ack, retry with backoff, dead-letter')
            [CompletionResult]::new('dlq', 'dlq', [CompletionResultType]::ParameterValue, 'Dead jobs: list, inspect, replay, drain, purge, and bring parked jobs in')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole job-queue scenario on a throwaway server: streams, 20 orders, two failing workers, retries, the DLQ')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Completion candidates from the server, one per line, for the completion scripts')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jq-nats;help;context' {
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show the resolved connection settings and their sources (the default)')
            break
        }
        'jq-nats;help;context;info' {
            break
        }
        'jq-nats;help;stream' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a work-queue stream and its dead-letter stream')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change an existing stream''s settings')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List streams with their queue health')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show one stream''s settings and queue health')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a stream, and its dead-letter stream')
            break
        }
        'jq-nats;help;stream;add' {
            break
        }
        'jq-nats;help;stream;edit' {
            break
        }
        'jq-nats;help;stream;ls' {
            break
        }
        'jq-nats;help;stream;info' {
            break
        }
        'jq-nats;help;stream;rm' {
            break
        }
        'jq-nats;help;publish' {
            break
        }
        'jq-nats;help;work' {
            break
        }
        'jq-nats;help;dlq' {
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List dead jobs: sequence, subject, attempts, reason, age, and where the payload is')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one dead job whole: why it died, its headers, its history and its payload')
            [CompletionResult]::new('drain', 'drain', [CompletionResultType]::ParameterValue, 'Process every dead job once, with a command or by writing it out, then exit')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Publish dead jobs again to their original subjects, then remove them from the DLQ')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete dead jobs for good')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'Copy parked jobs into the DLQ and free the work stream; clean up duplicate entries')
            break
        }
        'jq-nats;help;dlq;ls' {
            break
        }
        'jq-nats;help;dlq;show' {
            break
        }
        'jq-nats;help;dlq;drain' {
            break
        }
        'jq-nats;help;dlq;replay' {
            break
        }
        'jq-nats;help;dlq;purge' {
            break
        }
        'jq-nats;help;dlq;reconcile' {
            break
        }
        'jq-nats;help;completions' {
            break
        }
        'jq-nats;help;demo' {
            break
        }
        'jq-nats;help;__complete' {
            break
        }
        'jq-nats;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
