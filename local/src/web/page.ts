/**
 * The web chat page. Web Chat renders Adaptive Cards with parser version 1.3, so each card's Action.Execute
 * (1.4+) is unknown to it and its Action.Submit fallback is what renders (DESIGN §8). Polling, not WebSocket:
 * the local Direct Line endpoint only polls. `?user=<id>&name=<name>` picks who you are (RBAC applies).
 */
export function renderPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>RackOps — local chat</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
  body { display: flex; flex-direction: column; }
  header { padding: 8px 16px; background: #243a5e; color: #fff; font-size: 14px; }
  #webchat { flex: 1; min-height: 0; }
</style>
</head>
<body>
<header>RackOps · local web chat · you are <b id="who"></b> · type <code>help</code></header>
<div id="webchat" role="main"></div>
<script src="/webchat.js"></script>
<script>
  const params = new URLSearchParams(location.search);
  const userID = params.get('user') || 'local-operator';
  const username = params.get('name') || userID;
  document.getElementById('who').textContent = username;
  const directLine = window.WebChat.createDirectLine({
    token: 'local',
    domain: location.origin + '/v3/directline',
    webSocket: false,
    pollingInterval: 300,
  });
  window.WebChat.renderWebChat(
    {
      directLine,
      userID,
      username,
      // Wider than Web Chat's 480 px default, as Teams' chat column is: tables and cards keep their words whole.
      styleOptions: { adaptiveCardsParserMaxVersion: '1.3', hideUploadButton: true, bubbleMaxWidth: 720 },
    },
    document.getElementById('webchat'),
  );
  document.querySelector('#webchat > *')?.focus?.();
</script>
</body>
</html>`;
}
