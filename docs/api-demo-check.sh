#!/usr/bin/env bash
# The API in the demo with curl only: a member makes a token on the settings page, lists
# ward-care's unanswered questions and replies; the steward registers a webhook and sees
# its delivery. Start `make demo` and, in another terminal, the receiver:
#   PRACTICA_DEMO=1 .venv/bin/practica webhook-receiver --port 8199
# then run `bash docs/api-demo-check.sh` (BASE=http://127.0.0.1:PORT for another port).
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8000}
J=$(mktemp -d)
login() {  # login <jar> <email>
  curl -s -c "$1" -b "$1" "$BASE/accounts/login/" -o "$J/login.html"
  csrf=$(grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' "$J/login.html" | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -c "$1" -b "$1" -e "$BASE/accounts/login/" -o /dev/null -w "login %{http_code}\n" \
    --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "login=$2" \
    --data-urlencode "password=practica-demo" "$BASE/accounts/login/"
}
csrf_of() { grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' "$1" | head -1 | sed 's/.*value="//;s/"$//'; }

echo "== member: a token from the settings page"
login "$J/member" participant@example.com
curl -s -c "$J/member" -b "$J/member" "$BASE/people/me/tokens/" -o "$J/tokens.html"
curl -s -c "$J/member" -b "$J/member" -e "$BASE/people/me/tokens/" -o "$J/made.html" -w "token page %{http_code}\n" \
  --data-urlencode "csrfmiddlewaretoken=$(csrf_of "$J/tokens.html")" --data-urlencode "name=curl check" \
  --data-urlencode "scope=write" --data-urlencode "expires_in_days=30" "$BASE/people/me/tokens/"
TOKEN=$(grep -o 'pat_[A-Za-z0-9_-]*' "$J/made.html" | head -1)
echo "token ${TOKEN:0:8}…"
echo "== unanswered questions in ward-care"
curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/communities/ward-care/threads?unanswered=true" > "$J/unanswered.json"
python3 -c "import json,sys; d=json.load(open('$J/unanswered.json')); [print(t['id'], t['title']) for t in d['results']]"
ID=$(python3 -c "import json; print(json.load(open('$J/unanswered.json'))['results'][0]['id'])")
echo "== the steward registers a webhook"
login "$J/steward" steward@example.com
curl -s -c "$J/steward" -b "$J/steward" "$BASE/c/ward-care/webhooks/" -o "$J/hooks.html"
curl -s -c "$J/steward" -b "$J/steward" -e "$BASE/c/ward-care/webhooks/" -o "$J/hooked.html" -w "register %{http_code}\n" \
  --data-urlencode "csrfmiddlewaretoken=$(csrf_of "$J/hooks.html")" --data-urlencode "url=http://127.0.0.1:8199/" \
  --data-urlencode "description=curl check" --data-urlencode "events=post.created" "$BASE/c/ward-care/webhooks/"
echo "== reply with the member's token"
curl -s -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  -H "Idempotency-Key: curl-check-$(date +%s)" -w "\nreply %{http_code}\n" \
  -d '{"body": "On our ward we check the bed sensor every shift and log it on the chart."}' \
  "$BASE/api/v1/communities/ward-care/threads/$ID/posts" | tail -c 300
echo "== the webhook's delivery log (the receiver printed the event too)"
sleep 5
HOOK=$(grep -o 'href="/c/ward-care/webhooks/[0-9]*/"' "$J/hooked.html" | head -1 | sed 's/href="//;s/"$//')
curl -s -b "$J/steward" "$BASE$HOOK" | sed 's/<[^>]*>/ /g' | tr -s ' \n' | grep -E "Delivered|received|Retrying|Failed" | head -6
rm -rf "$J"
