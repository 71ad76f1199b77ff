// The live cluster page: polls the admin API of this node every 2 s. No build step, no dependencies.
(function () {
  'use strict';
  var REFRESH_MS = 2000;
  var hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('token')) {
    sessionStorage.setItem('vxext.token', hash.get('token'));
    history.replaceState(null, '', location.pathname + location.search);
  }

  function token() { return sessionStorage.getItem('vxext.token'); }

  // a GET, or a POST of the JSON text body
  function api(path, body) {
    var headers = {};
    if (token()) headers.Authorization = 'Bearer ' + token();
    var init = { headers: headers, cache: 'no-store' };
    if (body !== undefined) {
      init.method = 'POST';
      init.body = body;
      headers['Content-Type'] = 'application/json';
    }
    return fetch(path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) {
          var e = new Error(body.message || ('HTTP ' + r.status));
          e.status = r.status;
          throw e;
        }
        return body;
      });
    });
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function time(ms) { return ms ? new Date(ms).toLocaleTimeString() : '-'; }

  function renderNodes(nodes, processes) {
    var byNode = {};
    processes.forEach(function (p) { (byNode[p.node] = byNode[p.node] || []).push(p); });
    var box = document.getElementById('nodes');
    box.replaceChildren.apply(box, nodes.nodes.map(function (n) {
      var procs = (byNode[n.name] || []).sort(function (a, b) { return a.name < b.name ? -1 : 1; });
      var title = el('h3', { text: n.name }, [
        n.leader ? el('span', { 'class': 'badge', text: 'leader' }) : null,
        n.self ? el('span', { 'class': 'badge self', text: 'this node' }) : null]);
      return el('div', { 'class': 'node' + (n.leader ? ' leader' : ''), 'data-node': n.name }, [
        title,
        el('div', { 'class': 'muted', text: (n.host || '') + (n.port ? ':' + n.port : '') + ' · ' + procs.length + ' process(es)' }),
        n.launchers.length ? el('div', { 'class': 'muted', text: 'launchers: ' + n.launchers.join(', ') }) : null,
        el('ul', {}, procs.map(function (p) { return el('li', { 'class': 'process', 'data-name': p.name, text: p.name }); }))]);
    }));
    var leader = nodes.leader ? nodes.leader + ' (epoch ' + nodes.epoch + ')' : 'unknown';
    document.getElementById('summary').textContent = nodes.nodes.length + ' node(s) · leader ' + leader
      + ' · ' + processes.length + ' process(es)';
  }

  function renderDaemons(d) {
    var info = document.getElementById('daemons-info');
    var body = document.getElementById('daemons');
    if (d.error) {
      info.textContent = d.error;
      body.replaceChildren();
      return;
    }
    info.textContent = d.declared === undefined ? 'no reconciliation yet'
      : d.declared + ' declared · ' + d.running + ' running · last reconciled by ' + d.leader + ' at ' + time(d.reconciledAt)
        + (d.truncated ? ' · list truncated' : '');
    body.replaceChildren.apply(body, (d.daemons || []).map(function (x) {
      return el('tr', { 'data-daemon': x.name }, [el('td', { text: x.name }), el('td', { text: x.launcher }),
        el('td', { text: x.node || '-' }), el('td', { 'class': 'state-' + x.state, text: x.state })]);
    }));
  }

  // rebalance: on-join — the leader's recent moves, newest first (absent under rebalance: never)
  function renderMoves(d) {
    var moves = (d && d.moves) || [];
    var info = document.getElementById('moves-info');
    var table = document.getElementById('moves-table');
    info.hidden = table.hidden = !d || !d.moves;
    info.textContent = moves.length ? 'recent moves (rebalancing on join)' : 'no daemon moved yet (rebalancing on join)';
    document.getElementById('moves').replaceChildren.apply(document.getElementById('moves'),
      moves.slice(-20).reverse().map(function (m) {
        return el('tr', { 'data-move': m.name }, [el('td', { text: time(m.at) }), el('td', { text: m.name }),
          el('td', { text: m.from }), el('td', { text: m.to }),
          el('td', { text: m.error ? 'not moved: ' + m.error : m.unavailableMs + ' ms' })]);
      }));
  }

  function renderCron(c) {
    var body = document.getElementById('cron');
    body.replaceChildren.apply(body, (c.jobs || []).map(function (j) {
      return el('tr', { 'data-job': j.name }, [el('td', { text: j.name }), el('td', { text: j.scope }),
        el('td', { text: j.spec || '' }), el('td', { text: j.trigger || '' }),
        el('td', { text: j.scope === 'NODE' ? 'every node' : (j.owner || '-') }),
        el('td', { text: time(j.nextFireAt) }), el('td', { text: j.fired }), el('td', { text: j.missed })]);
    }));
  }

  function status(text, error) {
    var s = document.getElementById('status');
    s.textContent = text;
    s.className = 'status' + (error ? ' error' : '');
  }

  function refresh() {
    Promise.all([api('api/nodes'), api('api/processes'),
      api('api/daemons').catch(function (e) { if (e.status === 401) throw e; return { error: e.message }; }),
      api('api/cron')])
      .then(function (r) {
        document.getElementById('token-box').hidden = true;
        renderNodes(r[0], r[1].processes || []);
        renderDaemons(r[2]);
        renderMoves(r[2]);
        renderCron(r[3]);
        var unreachable = (r[1].unreachable || []).map(function (u) { return u.node; });
        status('updated ' + new Date().toLocaleTimeString()
          + (unreachable.length ? ' · unreachable: ' + unreachable.join(', ') : ''), unreachable.length > 0);
      })
      .catch(function (e) {
        if (e.status === 401) document.getElementById('token-box').hidden = false;
        status('error: ' + e.message, true);
      })
      .finally(function () { setTimeout(refresh, REFRESH_MS); });
  }

  document.getElementById('token-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem('vxext.token', document.getElementById('token-input').value);
  });

  document.getElementById('locate-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var name = document.getElementById('locate-input').value.trim();
    var out = document.getElementById('locate-result');
    api('api/locate/' + encodeURIComponent(name))
      .then(function (p) { out.textContent = p.name + ' runs on ' + p.node + ' (since ' + time(p.startedAt) + ')'; })
      .catch(function (e) { out.textContent = e.message; });
  });

  // call or send: the message must be a JSON object; the reply (or the error) is shown below the form
  function act(kind) {
    var name = document.getElementById('call-name').value.trim();
    var text = document.getElementById('call-body').value;
    var out = document.getElementById('call-result');
    function show(state, message) {
      out.textContent = message;
      out.className = 'result' + (state === 'error' ? ' error' : '');
      out.setAttribute('data-state', state);
    }
    if (!name) {
      show('error', 'a process name is required');
      return;
    }
    var message;
    try {
      message = JSON.parse(text);
    } catch (e) {
      show('error', 'the message is not JSON: ' + e.message);
      return;
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      show('error', 'the message must be a JSON object');
      return;
    }
    show('pending', (kind === 'call' ? 'calling ' : 'sending to ') + name + '\u2026');
    api('api/' + kind + '/' + encodeURIComponent(name), JSON.stringify(message))
      .then(function (reply) {
        show('ok', kind === 'call' ? JSON.stringify(reply, null, 2) : 'sent to ' + name);
      })
      .catch(function (e) {
        if (e.status === 401) document.getElementById('token-box').hidden = false;
        show('error', (e.status ? e.status + ': ' : '') + e.message);
      });
  }

  document.getElementById('call-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    act('call');
  });
  document.getElementById('send-button').addEventListener('click', function () { act('send'); });

  refresh();
})();
