#!/bin/sh
# A `jq-nats work STREAM --pipe -- sh pipe.sh` handler: one JSON job per line in, one answer out.
while IFS= read -r job; do
  id=${job#*:}; id=${id%%,*}                        # "id" comes first, a number
  case $job in
    *'"payload":"poison'*) echo "{\"id\":$id,\"ok\":false,\"fatal\":true,\"error\":\"poison pill\"}" ;;
    *'"payload":"fail'*) echo "{\"id\":$id,\"ok\":false,\"error\":\"try again later\"}" ;;
    *) echo "{\"id\":$id,\"ok\":true}" ;;
  esac
done
