"""HTML of the simulator: the 闽政通-style login page and the error page (Jinja2, autoescaped)."""
from __future__ import annotations

from jinja2 import Environment

_env = Environment(autoescape=True)

_STYLE = """
body{margin:0;font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#eef3f9;color:#333}
header{background:linear-gradient(90deg,#0b5cad,#1677d2);color:#fff;padding:14px 32px;display:flex;align-items:baseline;gap:16px}
header h1{margin:0;font-size:22px;letter-spacing:2px}
header span{font-size:13px;opacity:.85}
main{max-width:920px;margin:40px auto;display:flex;gap:24px;align-items:flex-start;padding:0 16px}
.card{background:#fff;border-radius:6px;box-shadow:0 2px 12px rgba(11,92,173,.12);padding:28px 32px}
.login{flex:1 1 420px}
.tabs{display:flex;border-bottom:1px solid #dbe4ef;margin:-8px 0 20px}
.tabs a{padding:8px 18px;text-decoration:none;color:#666}
.tabs a.on{color:#0b5cad;border-bottom:2px solid #0b5cad;font-weight:bold}
h2{margin:0 0 18px;font-size:20px;color:#0b5cad}
label{display:block;margin:14px 0 6px;font-size:14px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:10px;border:1px solid #c8d3e0;border-radius:4px;font-size:15px}
button{margin-top:22px;width:100%;padding:11px;background:#0b5cad;color:#fff;border:0;border-radius:4px;font-size:16px;cursor:pointer}
button:hover{background:#0a4f95}
.error{background:#fdecea;color:#b3261e;border:1px solid #f5c2c0;padding:8px 12px;border-radius:4px;margin-bottom:8px}
.demo{flex:0 0 330px;font-size:13px}
.demo h3{margin:0 0 10px;font-size:15px;color:#a15c00}
.demo table{border-collapse:collapse;width:100%}
.demo td,.demo th{border-bottom:1px solid #eee;padding:5px 4px;text-align:left}
.demo p{color:#888;margin:10px 0 0}
footer{text-align:center;color:#999;font-size:12px;margin:30px 0}
"""

_LOGIN = _env.from_string("""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{ title }} - 闽政通 统一身份认证平台</title><style>{{ style }}</style></head>
<body>
<header><h1>闽政通 统一身份认证平台</h1><span>福建省网上办事大厅</span></header>
<main>
  <section class="card login">
    <nav class="tabs">
      <a href="{{ person_url }}" class="{{ 'on' if login_type == 'person' }}">个人登录</a>
      <a href="{{ legal_url }}" class="{{ 'on' if login_type == 'legal' }}">法人登录</a>
    </nav>
    <h2>{{ title }}</h2>
    {% if error %}<div class="error" role="alert">{{ error }}</div>{% endif %}
    <form method="post" action="/authorize">
      {% for key, value in hidden.items() %}<input type="hidden" name="{{ key }}" value="{{ value }}">
      {% endfor %}
      <label for="username">{{ '法人账号' if login_type == 'legal' else '用户名' }}</label>
      <input type="text" id="username" name="username" value="{{ username }}" autocomplete="username" required autofocus>
      <label for="password">密码</label>
      <input type="password" id="password" name="password" autocomplete="current-password" required>
      <button type="submit">登录</button>
    </form>
  </section>
  <aside class="card demo">
    <h3>演示账号</h3>
    <table><tr><th>用户名</th><th>{{ '单位' if login_type == 'legal' else '姓名' }}</th></tr>
    {% for a in accounts %}<tr><td>{{ a.username }}</td><td>{{ a.unit_name if login_type == 'legal' else a.name }}</td></tr>
    {% endfor %}</table>
    <p>密码均为 {{ demo_password }}（本页为模拟环境）</p>
  </aside>
</main>
<footer>闽政通统一身份认证模拟器 · 仅用于开发与测试</footer>
</body></html>""")

_ERROR = _env.from_string("""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>认证请求错误 - 闽政通</title><style>{{ style }}</style></head>
<body>
<header><h1>闽政通 统一身份认证平台</h1><span>福建省网上办事大厅</span></header>
<main><section class="card login"><h2>认证请求错误</h2>
<div class="error" role="alert">{{ message }}</div>
<p>请返回发起登录的网站重新操作。</p></section></main>
</body></html>""")


def login_page(**context: object) -> str:
    return _LOGIN.render(style=_STYLE, **context)


def error_page(message: str) -> str:
    return _ERROR.render(style=_STYLE, message=message)
