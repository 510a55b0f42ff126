# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_jq_nats_global_optspecs
    string join \n s/server= user= password= token= creds= nkey= tlscert= tlskey= tlsca= tlsfirst= timeout= context= no-context= js-domain= js-api-prefix= inbox-prefix= connection-name= json color= q/quiet h/help V/version
end

function __fish_jq_nats_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_jq_nats_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_jq_nats_using_subcommand
    set -l cmd (__fish_jq_nats_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c jq-nats -n "__fish_jq_nats_needs_command" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_needs_command" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -f -a "context" -d 'Show how jq-nats connects: each setting and where it came from'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -f -a "stream" -d 'Create, inspect and remove work-queue streams and their dead-letter queues'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -f -a "publish" -d 'Enqueue jobs from an argument, a template or stdin'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -f -a "work" -d 'Run a worker: pull jobs, run a handler, ack, retry with backoff, dead-letter'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -f -a "dlq" -d 'Dead jobs: list, inspect, replay, drain, purge, and bring parked jobs in'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -f -a "demo" -d 'Run the whole job-queue scenario on a throwaway server: streams, 20 orders, two failing workers, retries, the DLQ'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -f -a "__complete" -d 'Completion candidates from the server, one per line, for the completion scripts'
complete -c jq-nats -n "__fish_jq_nats_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -f -a "info" -d 'Show the resolved connection settings and their sources (the default)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and not __fish_seen_subcommand_from info help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from info" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "info" -d 'Show the resolved connection settings and their sources (the default)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -s h -l help -d 'Print help'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -f -a "add" -d 'Create a work-queue stream and its dead-letter stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -f -a "edit" -d 'Change an existing stream\'s settings'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -f -a "ls" -d 'List streams with their queue health'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -f -a "info" -d 'Show one stream\'s settings and queue health'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -f -a "rm" -d 'Delete a stream, and its dead-letter stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and not __fish_seen_subcommand_from add edit ls info rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l subjects -d 'Subjects the stream captures, comma-separated or repeated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l storage -d 'Storage backend [default: file]' -r -f -a "file\t''
memory\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l replicas -d 'Number of replicas [default: 1]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l retention -d 'Retention policy [default: work]' -r -f -a "work\t''
limits\t''
interest\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l discard -d 'What to do when the stream is full [default: new, refuse new jobs]' -r -f -a "new\t''
old\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l max-msgs -d 'Most messages kept, -1 for unlimited [default: -1]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l max-msgs-per-subject -d 'Most jobs kept per subject, -1 for unlimited; with discard new, a subject at its limit refuses new jobs [default: -1]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l max-bytes -d 'Most bytes kept, like 256MB or 1GiB, -1 for unlimited [default: 256MB]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l max-age -d 'Oldest message kept, like 24h, -1 for unlimited [default: -1]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l max-msg-size -d 'Largest message accepted, like 1MiB, -1 for unlimited [default: 1MiB]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l dupe-window -d 'Window in which a repeated Nats-Msg-Id is dropped as a duplicate, at most the max age [default: 2m, or the max age if shorter]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l description -d 'Stream description' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l dlq -d 'Name of the dead-letter stream [default: NAME_dlq]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l deny-delete -d 'Refuse deleting single messages [default: no]'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l no-deny-delete -d 'Allow deleting single messages'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l deny-purge -d 'Refuse purging the stream [default: no]'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l no-deny-purge -d 'Allow purging the stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l allow-direct -d 'Allow direct get of messages [default: yes]'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l no-allow-direct -d 'Refuse direct get of messages'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l no-dlq -d 'Do not create a dead-letter stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l update -d 'Apply settings that differ from the existing stream\'s'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l subjects -d 'Subjects the stream captures, comma-separated or repeated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l storage -d 'Storage backend [default: file]' -r -f -a "file\t''
memory\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l replicas -d 'Number of replicas [default: 1]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l retention -d 'Retention policy [default: work]' -r -f -a "work\t''
limits\t''
interest\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l discard -d 'What to do when the stream is full [default: new, refuse new jobs]' -r -f -a "new\t''
old\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l max-msgs -d 'Most messages kept, -1 for unlimited [default: -1]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l max-msgs-per-subject -d 'Most jobs kept per subject, -1 for unlimited; with discard new, a subject at its limit refuses new jobs [default: -1]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l max-bytes -d 'Most bytes kept, like 256MB or 1GiB, -1 for unlimited [default: 256MB]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l max-age -d 'Oldest message kept, like 24h, -1 for unlimited [default: -1]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l max-msg-size -d 'Largest message accepted, like 1MiB, -1 for unlimited [default: 1MiB]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l dupe-window -d 'Window in which a repeated Nats-Msg-Id is dropped as a duplicate, at most the max age [default: 2m, or the max age if shorter]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l description -d 'Stream description' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l deny-delete -d 'Refuse deleting single messages [default: no]'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l no-deny-delete -d 'Allow deleting single messages'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l deny-purge -d 'Refuse purging the stream [default: no]'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l no-deny-purge -d 'Allow purging the stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l allow-direct -d 'Allow direct get of messages [default: yes]'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l no-allow-direct -d 'Refuse direct get of messages'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from edit" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show streams made by anyone, not only work-queue streams'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from info" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -s f -l force -d 'Delete without asking (required when stdin is not a terminal)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l keep-dlq -d 'Keep the dead-letter stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from help" -f -a "add" -d 'Create a work-queue stream and its dead-letter stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Change an existing stream\'s settings'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List streams with their queue health'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from help" -f -a "info" -d 'Show one stream\'s settings and queue health'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Delete a stream, and its dead-letter stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand stream; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l count -d 'Publish the body this many times, expanding templates each time ({{Count}} is 1..N)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -s H -l header -d 'Header as KEY:VALUE, repeatable; values may use templates' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l id -d 'Nats-Msg-Id template, for de-duplication within the stream\'s window; a job with an id is also resent safely when its acknowledgement times out. From stdin, {{Count}} is the input line number' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l send-on -d 'How stdin is split into jobs: a job per line (empty lines are skipped), or all of stdin as one job. Bytes are kept exactly; a line loses its "\\n" and a "\\r" before it' -r -f -a "newline\t''
eof\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l window -d 'Publishes awaiting their acknowledgement at once (at most 5000, the client\'s limit)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand publish" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l pipe-inflight -d 'Jobs a --pipe handler may hold unanswered at once' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l request -d 'Send each job as a NATS request to SUBJECT, where services answer it (see REQUEST HANDLERS below), instead of running a command' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l consumer -d 'Durable consumer name' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l filter -d 'Only take jobs whose subject matches' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l max-deliver -d 'Attempts per job before it is dead-lettered, -1 for unlimited [default: 2, or the consumer\'s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l backoff -d 'Delays before each retry, comma-separated, the last one repeating; at most max-deliver - 1 steps. The server also takes the first step as the ack wait [default: 5s, or the consumer\'s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l ack-wait -d 'How long a delivered job may go unacknowledged before it is redelivered; with a backoff it must equal the first step [default: the first backoff step, or the consumer\'s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l max-ack-pending -d 'Most jobs delivered and not yet acknowledged, over all workers, -1 for unlimited [default: 1000, or the consumer\'s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -s c -l concurrency -d 'Jobs run at once in this process' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l fatal-exit-code -d 'Handler exit code meaning "do not retry": the job goes to the dead-letter queue now (with no dead-letter stream taking copies, it is retried like any failure)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l handler-timeout -d 'Kill a handler (its whole process group) that runs longer, counting a failure; with --pipe, the longest a job may go unanswered once every job written before it was answered (the handler is restarted); with --request, how long to wait for a reply [default with --request: 30s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l max-jobs -d 'Stop after this many jobs were finished (done or dead)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l grace -d 'On SIGINT/SIGTERM, how long running handlers may take to finish' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l pipe -d 'Keep COMMAND running (--concurrency copies) and give it jobs as JSON lines on its stdin, one JSON answer line per job on its stdout (see PIPE PROTOCOL below)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l until-empty -d 'Exit once nothing is waiting or in flight, retries included'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand work" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -s h -l help -d 'Print help'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -f -a "ls" -d 'List dead jobs: sequence, subject, attempts, reason, age, and where the payload is'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -f -a "show" -d 'Show one dead job whole: why it died, its headers, its history and its payload'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -f -a "drain" -d 'Process every dead job once, with a command or by writing it out, then exit'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -f -a "replay" -d 'Publish dead jobs again to their original subjects, then remove them from the DLQ'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -f -a "purge" -d 'Delete dead jobs for good'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -f -a "reconcile" -d 'Copy parked jobs into the DLQ and free the work stream; clean up duplicate entries'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and not __fish_seen_subcommand_from ls show drain replay purge reconcile help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l subject -d 'Only jobs whose original subject matches (wildcards allowed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l since -d 'Only jobs that died at or after this time: RFC 3339, or a duration ago like 1h' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l until -d 'Only jobs that died before this time: RFC 3339, or a duration ago like 30m' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l reason -d 'Only jobs whose reason matches this regular expression' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l min-attempts -d 'Only jobs tried at least N times' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l raw -d 'Write only the payload, byte for byte'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l max -d 'Stop after N dead jobs' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l handler-timeout -d 'Kill COMMAND (its whole process group) when it runs longer, counting a failure' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l dry-run -d 'Show what would be drained, change nothing'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l skip-interrupted -d 'Leave jobs an interrupted drain may have processed in the DLQ instead of running them again (by default they run again, with a warning: at least once)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from drain" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l seq -d 'Dead job by its sequence in the work stream, comma-separated or repeated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l subject -d 'Only jobs whose original subject matches (wildcards allowed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l since -d 'Only jobs that died at or after this time: RFC 3339, or a duration ago like 1h' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l until -d 'Only jobs that died before this time: RFC 3339, or a duration ago like 30m' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l reason -d 'Only jobs whose reason matches this regular expression' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l min-attempts -d 'Only jobs tried at least N times' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l rate -d 'Most jobs published per second, as N or N/s' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l all -d 'Every dead job (filters still apply)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l dry-run -d 'Show what would be replayed, change nothing'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l edit -d 'Open $VISUAL or $EDITOR on each payload before it is published'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l seq -d 'Dead job by its sequence in the work stream, comma-separated or repeated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l subject -d 'Only jobs whose original subject matches (wildcards allowed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l since -d 'Only jobs that died at or after this time: RFC 3339, or a duration ago like 1h' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l until -d 'Only jobs that died before this time: RFC 3339, or a duration ago like 30m' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l reason -d 'Only jobs whose reason matches this regular expression' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l min-attempts -d 'Only jobs tried at least N times' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l all -d 'Every dead job (filters still apply)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s f -l force -d 'Delete without asking (required when stdin is not a terminal)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l dry-run -d 'Show what would be deleted, change nothing'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l dry-run -d 'Show what would change, change nothing'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from reconcile" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List dead jobs: sequence, subject, attempts, reason, age, and where the payload is'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one dead job whole: why it died, its headers, its history and its payload'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "drain" -d 'Process every dead job once, with a command or by writing it out, then exit'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Publish dead jobs again to their original subjects, then remove them from the DLQ'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Delete dead jobs for good'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "reconcile" -d 'Copy parked jobs into the DLQ and free the work stream; clean up duplicate entries'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand completions" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l backoff -d 'Delay before a failed job\'s retry, as the consumer\'s BackOff' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l jobs -d 'Orders to publish' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l workers -d 'Workers run side by side' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l failure-rate -d 'Percentage of attempts the handler fails' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l stream -d 'Name of the work stream; its subjects are PREFIX.* where PREFIX is the name without `_stream`' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l server-bin -d 'The nats-server binary for the throwaway server [default: nats-server on PATH]' -r -F
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l replay -d 'Replay the dead jobs to the work stream (and run them again) instead of draining them'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l keep -d 'With --server, leave the streams in place afterwards, to look at them'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand demo" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -s s -l server -d 'NATS server URLs, comma-separated' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l user -d 'Username, or a token when no password is given' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l password -d 'Password' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l token -d 'Authentication token' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l creds -d 'User credentials file (JWT and seed)' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l nkey -d 'User NKEY seed file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l tlscert -d 'TLS client certificate file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l tlskey -d 'TLS client private key file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l tlsca -d 'TLS certificate authority chain file, trusted to verify the server' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l tlsfirst -d 'Open the connection with a TLS handshake before the server\'s INFO' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l timeout -d 'Time to wait for the connection and for each request [default: 5s]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l context -d 'natscli context to use: a name, or a path to a context .json file' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l no-context -d 'Ignore natscli contexts, even the selected one' -r -f -a "true\t''
false\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l js-domain -d 'JetStream domain' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l js-api-prefix -d 'JetStream API subject prefix' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l inbox-prefix -d 'Custom inbox prefix for replies' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l connection-name -d 'Name of the connection, as the server shows it [default: jq-nats]' -r
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l color -d 'When to use colour (NO_COLOR is respected)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -l json -d 'Print results as JSON (NDJSON for streaming commands)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand __complete" -s V -l version -d 'Print version'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and not __fish_seen_subcommand_from context stream publish work dlq completions demo __complete help" -f -a "context" -d 'Show how jq-nats connects: each setting and where it came from'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and not __fish_seen_subcommand_from context stream publish work dlq completions demo __complete help" -f -a "stream" -d 'Create, inspect and remove work-queue streams and their dead-letter queues'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and not __fish_seen_subcommand_from context stream publish work dlq completions demo __complete help" -f -a "publish" -d 'Enqueue jobs from an argument, a template or stdin'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and not __fish_seen_subcommand_from context stream publish work dlq completions demo __complete help" -f -a "work" -d 'Run a worker: pull jobs, run a handler, ack, retry with backoff, dead-letter'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and not __fish_seen_subcommand_from context stream publish work dlq completions demo __complete help" -f -a "dlq" -d 'Dead jobs: list, inspect, replay, drain, purge, and bring parked jobs in'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and not __fish_seen_subcommand_from context stream publish work dlq completions demo __complete help" -f -a "completions" -d 'Print a shell completion script'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and not __fish_seen_subcommand_from context stream publish work dlq completions demo __complete help" -f -a "demo" -d 'Run the whole job-queue scenario on a throwaway server: streams, 20 orders, two failing workers, retries, the DLQ'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and not __fish_seen_subcommand_from context stream publish work dlq completions demo __complete help" -f -a "__complete" -d 'Completion candidates from the server, one per line, for the completion scripts'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and not __fish_seen_subcommand_from context stream publish work dlq completions demo __complete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "info" -d 'Show the resolved connection settings and their sources (the default)'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from stream" -f -a "add" -d 'Create a work-queue stream and its dead-letter stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from stream" -f -a "edit" -d 'Change an existing stream\'s settings'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from stream" -f -a "ls" -d 'List streams with their queue health'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from stream" -f -a "info" -d 'Show one stream\'s settings and queue health'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from stream" -f -a "rm" -d 'Delete a stream, and its dead-letter stream'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "ls" -d 'List dead jobs: sequence, subject, attempts, reason, age, and where the payload is'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "show" -d 'Show one dead job whole: why it died, its headers, its history and its payload'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "drain" -d 'Process every dead job once, with a command or by writing it out, then exit'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "replay" -d 'Publish dead jobs again to their original subjects, then remove them from the DLQ'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "purge" -d 'Delete dead jobs for good'
complete -c jq-nats -n "__fish_jq_nats_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "reconcile" -d 'Copy parked jobs into the DLQ and free the work stream; clean up duplicate entries'

# Names only the server knows (streams, consumers, dead jobs) come from `jq-nats __complete`,
# which prints nothing within about a second when no server answers; the rest is static.
function __jq_nats_dynamic
    set -l tokens (commandline -opc)
    command $tokens[1] __complete line -- $tokens[2..-1] (commandline -ct) 2>/dev/null
end
complete -c jq-nats -f -n '__jq_nats_dynamic | string length -q' -a '(__jq_nats_dynamic)'
