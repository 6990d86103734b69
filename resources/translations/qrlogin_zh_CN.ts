<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About qrlogin-desktop</source>
        <translation>关于 qrlogin-desktop</translation>
    </message>
    <message>
        <source>qrlogin-desktop {0}</source>
        <translation>qrlogin-desktop {0}</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Qt</source>
        <translation>Qt</translation>
    </message>
    <message>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <source>Keyring entries</source>
        <translation>密钥环条目</translation>
    </message>
    <message>
        <source>Keyring backend</source>
        <translation>密钥环后端</translation>
    </message>
    <message>
        <source>packaged bundle</source>
        <translation>安装包版本</translation>
    </message>
    <message>
        <source>Python package</source>
        <translation>Python 包</translation>
    </message>
    <message>
        <source>{0} ({1})</source>
        <comment>the version and how it is installed</comment>
        <translation>{0}（{1}）</translation>
    </message>
    <message>
        <source>Qt {0}, PySide6 {1}</source>
        <translation>Qt {0}，PySide6 {1}</translation>
    </message>
    <message>
        <source>service “{0}” in the OS keyring (tokens, server credentials)</source>
        <translation>系统密钥环中的服务“{0}”（令牌、服务器凭据）</translation>
    </message>
    <message>
        <source>asking the keyring…</source>
        <translation>正在查询密钥环…</translation>
    </message>
</context>
<context>
    <name>AppInfoCard</name>
    <message>
        <source>Asks for:</source>
        <translation>申请权限：</translation>
    </message>
    <message>
        <source>Asks for no particular scopes.</source>
        <translation>未申请特定权限。</translation>
    </message>
    <message>
        <source>Remark: {0}</source>
        <translation>备注：{0}</translation>
    </message>
    <message>
        <source>logo</source>
        <translation>图标</translation>
    </message>
</context>
<context>
    <name>ClaimsTree</name>
    <message>
        <source>Claim</source>
        <translation>声明</translation>
    </message>
    <message>
        <source>Value (signature not verified)</source>
        <translation>值（未验证签名）</translation>
    </message>
    <message>
        <source>(not a JWT: no claims to show)</source>
        <translation>（不是 JWT：没有可显示的声明）</translation>
    </message>
    <message>
        <source>expires</source>
        <translation>过期时间</translation>
    </message>
    <message>
        <source>issued at</source>
        <translation>签发时间</translation>
    </message>
    <message>
        <source>not before</source>
        <translation>生效时间</translation>
    </message>
    <message>
        <source>authenticated at</source>
        <translation>认证时间</translation>
    </message>
    <message>
        <source>{0} ({1})</source>
        <comment>a claim and its meaning</comment>
        <translation>{0}（{1}）</translation>
    </message>
</context>
<context>
    <name>CodeTableEditor</name>
    <message>
        <source>Keep waiting</source>
        <translation>继续等待</translation>
    </message>
    <message>
        <source>Scanned: poll faster</source>
        <translation>已扫码：加快轮询</translation>
    </message>
    <message>
        <source>Rate limited: wait, then poll</source>
        <translation>被限流：稍候再轮询</translation>
    </message>
    <message>
        <source>Retry with backoff</source>
        <translation>退避后重试</translation>
    </message>
    <message>
        <source>QR expired</source>
        <translation>二维码已过期</translation>
    </message>
    <message>
        <source>Declined on the phone</source>
        <translation>手机端已拒绝</translation>
    </message>
    <message>
        <source>Stop with the error</source>
        <translation>停止并报错</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>业务码</translation>
    </message>
    <message>
        <source>Poller action</source>
        <translation>轮询处理方式</translation>
    </message>
    <message>
        <source>Code table</source>
        <translation>业务码处理表</translation>
    </message>
    <message>
        <source>Poller action for code {0}</source>
        <translation>业务码 {0} 的轮询处理方式</translation>
    </message>
</context>
<context>
    <name>Display</name>
    <message>
        <source>{0} d {1} h</source>
        <translation>{0} 天 {1} 小时</translation>
    </message>
    <message>
        <source>{0} h {1} min</source>
        <translation>{0} 小时 {1} 分</translation>
    </message>
    <message>
        <source>{0} min {1} s</source>
        <translation>{0} 分 {1} 秒</translation>
    </message>
    <message>
        <source>{0} s</source>
        <translation>{0} 秒</translation>
    </message>
</context>
<context>
    <name>EndpointPanel</name>
    <message>
        <source>Query parameters</source>
        <translation>查询参数</translation>
    </message>
    <message>
        <source>Body (JSON)</source>
        <translation>请求体（JSON）</translation>
    </message>
    <message>
        <source>Validate before sending</source>
        <translation>发送前校验</translation>
    </message>
    <message>
        <source>Check the catalogue&apos;s rules before sending. Turn off to send bad input on purpose and see what the server says.</source>
        <translation>发送前按接口目录的规则校验输入。关闭后可故意发送错误输入，看服务器如何响应。</translation>
    </message>
    <message>
        <source>Send the request (Ctrl+Enter)</source>
        <translation>发送请求（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Copy as cURL</source>
        <translation>复制为 cURL</translation>
    </message>
    <message>
        <source>include credential</source>
        <translation>包含凭据</translation>
    </message>
    <message>
        <source>Off: the Authorization header reads $QRLOGIN_TOKEN. On: the real bearer credential is copied.</source>
        <translation>关闭：Authorization 请求头写作 $QRLOGIN_TOKEN。开启：复制真实的 Bearer 凭据。</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>响应</translation>
    </message>
    <message>
        <source>Request URL</source>
        <translation>请求 URL</translation>
    </message>
    <message>
        <source>Where the request goes, from the inputs as they are now</source>
        <translation>请求将发往的地址（按当前输入生成）</translation>
    </message>
    <message>
        <source>HTTP method</source>
        <translation>HTTP 方法</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>发送中…</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Not connected to a server yet</source>
        <translation>尚未连接服务器</translation>
    </message>
    <message>
        <source>Fix the JSON syntax error first</source>
        <translation>请先修正 JSON 语法错误</translation>
    </message>
    <message numerus="yes">
        <source>Not sent: %n problem(s) — see the messages next to the fields, or turn off &quot;Validate before sending&quot;.</source>
        <translation>
            <numerusform>未发送：有 %n 处问题 — 请查看字段旁的提示，或关闭“发送前校验”。</numerusform>
        </translation>
    </message>
    <message>
        <source>Copied — it contains the real credential.</source>
        <translation>已复制 — 其中包含真实凭据。</translation>
    </message>
    <message>
        <source>Copied (credential as $QRLOGIN_TOKEN).</source>
        <translation>已复制（凭据写作 $QRLOGIN_TOKEN）。</translation>
    </message>
</context>
<context>
    <name>ErrorBanner</name>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The server completed this login, but its answer was lost on the way, and the API cannot hand the token out again. Start a new QR.</source>
        <translation>服务器已完成这次登录，但它的应答在途中丢失，而接口无法再次发出该令牌。请重新生成二维码。</translation>
    </message>
    <message>
        <source>The server did not answer in time ({0}).</source>
        <translation>服务器响应超时（{0}）。</translation>
    </message>
    <message>
        <source>Cannot reach the server ({0}): {1}</source>
        <translation>无法连接服务器（{0}）：{1}</translation>
    </message>
    <message>
        <source>TLS certificate check failed ({0}): {1}. Fix the certificate, or turn off TLS verification in the profile only for a test server you trust.</source>
        <translation>TLS 证书校验失败（{0}）：{1}。请修复证书；仅当是你信任的测试服务器时，才可在配置中关闭 TLS 校验。</translation>
    </message>
    <message>
        <source>The connection was dropped before the answer was complete ({0}).</source>
        <translation>响应尚未完整接收，连接已断开（{0}）。</translation>
    </message>
    <message>
        <source>Network error ({0}): {1}</source>
        <translation>网络错误（{0}）：{1}</translation>
    </message>
    <message>
        <source>The server&apos;s answer is not the API&apos;s JSON ({0}, {1}): {2}.</source>
        <translation>服务器返回的不是该 API 的 JSON（{0}，{1}）：{2}。</translation>
    </message>
    <message>
        <source>It starts with: {0}</source>
        <translation>开头内容：{0}</translation>
    </message>
    <message>
        <source>You declined the login on your phone. Start a new QR to try again.</source>
        <translation>你已在手机上拒绝登录。如需重试，请重新生成二维码。</translation>
    </message>
    <message>
        <source>The server refused the credentials (401): {0}. Check the profile&apos;s bearer credential.</source>
        <translation>服务器拒绝了凭据（401）：{0}。请检查配置中的 Bearer 凭据。</translation>
    </message>
    <message>
        <source>Not found (404): {0}. Check the appKey and the signInKey.</source>
        <translation>未找到（404）：{0}。请检查 appKey 和 signInKey。</translation>
    </message>
    <message>
        <source>Rate limited (429): {0}</source>
        <translation>请求过于频繁，已被限流（429）：{0}</translation>
    </message>
    <message>
        <source>Server error ({0}): {1}</source>
        <translation>服务器错误（{0}）：{1}</translation>
    </message>
    <message>
        <source>The server refused the input (400): {0}</source>
        <translation>服务器拒绝了输入（400）：{0}</translation>
    </message>
    <message>
        <source>The server answered code {0}: {1}</source>
        <translation>服务器返回业务码 {0}：{1}</translation>
    </message>
    <message>
        <source>The keyring did not answer in time. Unlock it and retry. ({0})</source>
        <translation>系统密钥环响应超时，请解锁后重试。（{0}）</translation>
    </message>
    <message>
        <source>No usable keyring: {0}</source>
        <translation>没有可用的系统密钥环：{0}</translation>
    </message>
    <message>
        <source>Keyring error: {0}</source>
        <translation>系统密钥环错误：{0}</translation>
    </message>
</context>
<context>
    <name>FactBanner</name>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Show the details</source>
        <translation>显示详情</translation>
    </message>
    <message>
        <source>Dismiss the message</source>
        <translation>关闭此消息</translation>
    </message>
</context>
<context>
    <name>FlowController</name>
    <message>
        <source>Not connected to a server yet.</source>
        <translation>尚未连接服务器。</translation>
    </message>
    <message>
        <source>Start a QR login first.</source>
        <translation>请先开始扫码登录。</translation>
    </message>
</context>
<context>
    <name>FlowEvent</name>
    <message>
        <source>start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>initiated</source>
        <translation>已发起</translation>
    </message>
    <message>
        <source>scanned</source>
        <translation>已扫码</translation>
    </message>
    <message>
        <source>confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>register</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>registered</source>
        <translation>已注册</translation>
    </message>
    <message>
        <source>registration refused</source>
        <translation>注册被拒</translation>
    </message>
    <message>
        <source>registration required</source>
        <translation>需要注册</translation>
    </message>
    <message>
        <source>token</source>
        <translation>获得令牌</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>failure</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>the QR&apos;s lifetime ran out</source>
        <translation>二维码有效期已到</translation>
    </message>
    <message>
        <source>a token arrived, so the QR was scanned</source>
        <translation>已收到令牌，说明二维码已被扫描</translation>
    </message>
    <message>
        <source>automatic refresh {0} of {1}</source>
        <translation>自动刷新 {0}/{1}</translation>
    </message>
    <message>
        <source>server code {0}</source>
        <translation>业务码 {0}</translation>
    </message>
</context>
<context>
    <name>FlowState</name>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Requesting a QR code</source>
        <translation>正在获取二维码</translation>
    </message>
    <message>
        <source>Waiting for a scan</source>
        <translation>等待扫码</translation>
    </message>
    <message>
        <source>Scanned — waiting for the phone</source>
        <translation>已扫码 — 等待手机确认</translation>
    </message>
    <message>
        <source>Confirming the login</source>
        <translation>正在确认登录</translation>
    </message>
    <message>
        <source>Registering</source>
        <translation>正在注册</translation>
    </message>
    <message>
        <source>Logged in</source>
        <translation>登录成功</translation>
    </message>
    <message>
        <source>QR expired</source>
        <translation>二维码已过期</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>HelpMenu</name>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About qrlogin-desktop</source>
        <translation>关于 qrlogin-desktop(&amp;A)</translation>
    </message>
</context>
<context>
    <name>ImagePreview</name>
    <message>
        <source>Cannot be decoded for preview.</source>
        <translation>无法解码预览。</translation>
    </message>
    <message>
        <source>{0} × {1} px</source>
        <translation>{0} × {1} 像素</translation>
    </message>
    <message>
        <source>Save image</source>
        <translation>保存图片</translation>
    </message>
    <message>
        <source>{0} image (*.{1});;All files (*)</source>
        <translation>{0} 图片 (*.{1});;所有文件 (*)</translation>
    </message>
    <message>
        <source>Saved to {0}</source>
        <translation>已保存到 {0}</translation>
    </message>
    <message>
        <source>Could not save {0}: {1}</source>
        <translation>无法保存 {0}：{1}</translation>
    </message>
    <message>
        <source>Save image…</source>
        <translation>保存图片…</translation>
    </message>
</context>
<context>
    <name>JsonEditor</name>
    <message>
        <source>JSON error — line {0}, column {1}: {2}</source>
        <translation>JSON 错误 — 第 {0} 行，第 {1} 列：{2}</translation>
    </message>
    <message>
        <source>Reset example</source>
        <translation>恢复示例</translation>
    </message>
    <message>
        <source>Replace the body with the catalogue&apos;s example (Ctrl+Z undoes it)</source>
        <translation>用接口目录中的示例替换请求体（Ctrl+Z 可撤销）</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式化</translation>
    </message>
    <message>
        <source>Pretty-print the body (Ctrl+Z undoes it)</source>
        <translation>格式化请求体（Ctrl+Z 可撤销）</translation>
    </message>
    <message>
        <source>Request body (JSON)</source>
        <translation>请求体（JSON）</translation>
    </message>
</context>
<context>
    <name>JsonView</name>
    <message>
        <source>Cannot show this value: {0}</source>
        <translation>无法显示该值：{0}</translation>
    </message>
</context>
<context>
    <name>Keyring</name>
    <message>
        <source>System keyring (Secret Service)</source>
        <translation>系统密钥环（Secret Service）</translation>
    </message>
    <message>
        <source>KDE Wallet (KWallet)</source>
        <translation>KDE 钱包（KWallet）</translation>
    </message>
    <message>
        <source>macOS Keychain</source>
        <translation>macOS 钥匙串</translation>
    </message>
    <message>
        <source>Windows Credential Manager</source>
        <translation>Windows 凭据管理器</translation>
    </message>
    <message>
        <source>No usable keyring: tokens and credentials are kept in memory only, lost when the app exits</source>
        <translation>没有可用的系统密钥环：令牌和凭据仅保存在内存中，应用退出后即丢失</translation>
    </message>
    <message>
        <source>No usable keyring: tokens and credentials are stored in a plain file (insecure): {0}</source>
        <translation>没有可用的系统密钥环：令牌和凭据以明文文件保存（不安全）：{0}</translation>
    </message>
    <message>
        <source>Keyring state unknown (see the tooltip)</source>
        <translation>系统密钥环状态未知（详见提示）</translation>
    </message>
    <message>
        <source>Other keyring: {0}</source>
        <translation>其他密钥环：{0}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
</context>
<context>
    <name>LoadCharts</name>
    <message>
        <source>login</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>register</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>poll</source>
        <translation>轮询</translation>
    </message>
    <message>
        <source>logged in</source>
        <translation>已登录</translation>
    </message>
    <message>
        <source>QR flows per second</source>
        <translation>每秒扫码流程数</translation>
    </message>
    <message>
        <source>Flow latency, ms</source>
        <translation>流程耗时（毫秒）</translation>
    </message>
    <message>
        <source>p50 solid · p95 dashed</source>
        <translation>实线 p50 · 虚线 p95</translation>
    </message>
    <message>
        <source>Flow latency, ms (log scale): p50 solid, p95 dashed</source>
        <translation>流程耗时（毫秒，对数刻度）：实线 p50，虚线 p95</translation>
    </message>
    <message>
        <source>Outcomes of the QR flows</source>
        <translation>扫码流程的结果</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>No QR flows yet: press Start</source>
        <translation>尚无扫码流程：请点击“开始”</translation>
    </message>
</context>
<context>
    <name>LoadPanel</name>
    <message>
        <source>Load (Locust)</source>
        <translation>负载测试（Locust）</translation>
    </message>
    <message>
        <source>Locust&apos;s output appears here once a run starts.</source>
        <translation>运行开始后，Locust 的输出会显示在这里。</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户数</translation>
    </message>
    <message>
        <source>Spawn rate (users/s)</source>
        <translation>启动速率（用户/秒）</translation>
    </message>
    <message>
        <source>Duration (s)</source>
        <translation>时长（秒）</translation>
    </message>
    <message>
        <source>Local workers</source>
        <translation>本机工作进程数</translation>
    </message>
    <message>
        <source>Locust output</source>
        <translation>Locust 输出</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>QR-flow users on Locust against the active profile&apos;s server: simulated logins, registrations and polling desktops, each flow one Locust request beside its HTTP calls. The same run as {0}; across machines, run Locust&apos;s master and workers (README).</source>
        <translation>用 Locust 模拟扫码登录的用户，对当前配置的服务器施压（模拟桌面端的登录、注册与轮询）；每个完整流程在 Locust 中记为一条请求，与其中的各次 HTTP 调用并列统计。与 {0} 的运行完全相同；跨多台机器时，请分别运行 Locust 的主控进程与工作进程（见 README）。</translation>
    </message>
    <message>
        <source>Export HTML…</source>
        <translation>导出 HTML…</translation>
    </message>
    <message>
        <source>Load needs the optional extra: pip install &apos;qrlogin-desktop[load]&apos; (missing: {0}).</source>
        <translation>负载测试需要可选依赖：pip install &apos;qrlogin-desktop[load]&apos;（缺少：{0}）。</translation>
    </message>
    <message>
        <source>Target: a sandbox process of its own on 127.0.0.1 (the embedded sandbox shares this window&apos;s process).</source>
        <translation>目标：在 127.0.0.1 上另行启动一个沙盒进程（内置沙盒与本窗口共用一个进程，不作为压测目标）。</translation>
    </message>
    <message>
        <source>Target: {0} (appKey {1})</source>
        <translation>目标：{0}（appKey {1}）</translation>
    </message>
    <message>
        <source>Target: not connected yet.</source>
        <translation>目标：尚未连接。</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <source>Finished (exit code {0}: {1})</source>
        <translation>已结束（退出码 {0}：{1}）</translation>
    </message>
    <message>
        <source>no failure</source>
        <translation>无失败</translation>
    </message>
    <message>
        <source>some flows failed</source>
        <translation>部分流程失败</translation>
    </message>
    <message>
        <source>the run broke</source>
        <translation>运行异常中断</translation>
    </message>
    <message>
        <source>Not connected: choose a profile first.</source>
        <translation>尚未连接：请先选择一个配置。</translation>
    </message>
    <message>
        <source>The load run could not start.</source>
        <translation>无法启动负载测试。</translation>
    </message>
    <message>
        <source>Export Locust&apos;s CSV files to</source>
        <translation>将 Locust 的 CSV 文件导出到</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n file(s)</source>
        <translation>
            <numerusform>已导出 %n 个文件</numerusform>
        </translation>
    </message>
    <message>
        <source>Export Locust&apos;s HTML report</source>
        <translation>导出 Locust 的 HTML 报告</translation>
    </message>
    <message>
        <source>Exported the HTML report</source>
        <translation>已导出 HTML 报告</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>QR Login</source>
        <translation>扫码登录</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Request Log</source>
        <translation>请求日志</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>负载测试</translation>
    </message>
    <message>
        <source>Test Bench</source>
        <translation>测试台</translation>
    </message>
    <message>
        <source>Profiles &amp; Settings</source>
        <translation>配置与设置</translation>
    </message>
    <message>
        <source>qrlogin-desktop — QR Login Console</source>
        <translation>qrlogin-desktop — 扫码登录调试台</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>页面</translation>
    </message>
    <message>
        <source>Mini Program</source>
        <translation>小程序</translation>
    </message>
    <message>
        <source>Official Account</source>
        <translation>公众号</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Profile: {0}</source>
        <translation>配置：{0}</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Server: {0}</source>
        <translation>服务器：{0}</translation>
    </message>
    <message>
        <source>● Credential refused (401)</source>
        <translation>● 凭据被拒绝（401）</translation>
    </message>
    <message>
        <source>● Online · {0:.0f} ms</source>
        <translation>● 在线 · {0:.0f} ms</translation>
    </message>
    <message>
        <source>● Offline: no answer</source>
        <translation>● 离线：无应答</translation>
    </message>
    <message>
        <source>● Checking…</source>
        <translation>● 检测中…</translation>
    </message>
    <message>
        <source>The server answers, but refuses the bearer credential. Check the profile&apos;s credential in Profiles &amp; Settings.</source>
        <translation>服务器有应答，但拒绝了访问凭据。请在“配置与设置”中检查该配置的凭据。</translation>
    </message>
    <message>
        <source>Profiles file damaged</source>
        <translation>配置文件已损坏</translation>
    </message>
    <message>
        <source>The profiles file could not be read in full. A copy of it was kept, and what could be kept was loaded.</source>
        <translation>无法完整读取配置文件。已保留其副本，并载入了其中可用的部分。</translation>
    </message>
    <message>
        <source>Could not connect: {0}</source>
        <translation>无法连接：{0}</translation>
    </message>
</context>
<context>
    <name>QrLoginPanel</name>
    <message>
        <source>Initiate (QR-Auth/Initiate)</source>
        <translation>发起（QR-Auth/Initiate）</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Poll — a real phone scans</source>
        <translation>轮询 — 用真机扫码</translation>
    </message>
    <message>
        <source>Simulate the phone here</source>
        <translation>在本机模拟手机</translation>
    </message>
    <message>
        <source>Auto: run the whole flow</source>
        <translation>自动：执行完整流程</translation>
    </message>
    <message>
        <source>Scan and confirm automatically; registers with the form below when the server asks for a registration and the form is valid.</source>
        <translation>自动扫码并确认；若服务器要求注册且下方表单有效，则用该表单注册。</translation>
    </message>
    <message>
        <source>QR source</source>
        <translation>二维码来源</translation>
    </message>
    <message>
        <source>Local QR</source>
        <translation>本地生成二维码</translation>
    </message>
    <message>
        <source>Mini-program code</source>
        <translation>小程序码</translation>
    </message>
    <message>
        <source>WeChat&apos;s own code from WXACodeGetUnlimited, scene = signInKey</source>
        <translation>微信官方小程序码（WXACodeGetUnlimited），scene = signInKey</translation>
    </message>
    <message>
        <source>New QR</source>
        <translation>新二维码</translation>
    </message>
    <message>
        <source>Another QR in this session (F5)</source>
        <translation>在本会话中换一个二维码（F5）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop this login (Esc)</source>
        <translation>停止本次登录（Esc）</translation>
    </message>
    <message>
        <source>signInKey</source>
        <translation>signInKey</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>二维码内容</translation>
    </message>
    <message>
        <source>Copy QR</source>
        <translation>复制二维码</translation>
    </message>
    <message>
        <source>Save QR…</source>
        <translation>保存二维码…</translation>
    </message>
    <message>
        <source>Phone (simulated)</source>
        <translation>模拟手机</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>扫码</translation>
    </message>
    <message>
        <source>Confirm login</source>
        <translation>确认登录</translation>
    </message>
    <message>
        <source>Register a new user instead…</source>
        <translation>改为注册新用户…</translation>
    </message>
    <message>
        <source>Register (QR-Auth/Confirm-Register)</source>
        <translation>注册（QR-Auth/Confirm-Register）</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>手机</translation>
    </message>
    <message>
        <source>Start a QR login</source>
        <translation>开始扫码登录</translation>
    </message>
    <message>
        <source>Cancel the login</source>
        <translation>取消登录</translation>
    </message>
    <message>
        <source>Mode: poll, a real phone scans</source>
        <translation>模式：轮询，由真实手机扫码</translation>
    </message>
    <message>
        <source>Mode: simulate the phone here</source>
        <translation>模式：在此模拟手机</translation>
    </message>
    <message>
        <source>Run the simulated flow automatically</source>
        <translation>自动运行模拟流程</translation>
    </message>
    <message>
        <source>QR source: local QR</source>
        <translation>二维码来源：本地二维码</translation>
    </message>
    <message>
        <source>QR source: mini-program code</source>
        <translation>二维码来源：小程序码</translation>
    </message>
    <message>
        <source>QR code</source>
        <translation>二维码</translation>
    </message>
    <message>
        <source>Time left before the QR expires</source>
        <translation>二维码过期前的剩余时间</translation>
    </message>
    <message>
        <source>QR payload</source>
        <translation>二维码内容</translation>
    </message>
    <message>
        <source>Copy the QR code</source>
        <translation>复制二维码</translation>
    </message>
    <message>
        <source>Save the QR code to a file</source>
        <translation>将二维码保存到文件</translation>
    </message>
    <message>
        <source>Scan the QR with the simulated phone</source>
        <translation>用模拟手机扫描二维码</translation>
    </message>
    <message>
        <source>Confirm the login on the simulated phone</source>
        <translation>在模拟手机上确认登录</translation>
    </message>
    <message>
        <source>Show the registration form</source>
        <translation>显示注册表单</translation>
    </message>
    <message>
        <source>Register the new user</source>
        <translation>注册新用户</translation>
    </message>
    <message>
        <source>Timeline of the login&apos;s states</source>
        <translation>登录状态时间线</translation>
    </message>
    <message>
        <source>Settings and phone</source>
        <translation>设置与手机</translation>
    </message>
    <message>
        <source>Initiate</source>
        <translation>发起</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}：{1}</translation>
    </message>
    <message>
        <source>Save again</source>
        <translation>重新保存</translation>
    </message>
    <message numerus="yes">
        <source>QR refreshed, {0} of %n</source>
        <translation>
            <numerusform>二维码已刷新，第 {0} 次，共 %n 次</numerusform>
        </translation>
    </message>
    <message>
        <source>The token is stored in a PLAIN FILE (insecure), not in a keyring.</source>
        <translation>令牌保存在明文文件中（不安全），而不是钥匙串中。</translation>
    </message>
    <message>
        <source>The keyring store said: {0}</source>
        <translation>钥匙串存储的原话：{0}</translation>
    </message>
    <message>
        <source>The token was NOT stored; it is kept in memory until the app exits.</source>
        <translation>令牌未能保存，仅保留在内存中，直到程序退出。</translation>
    </message>
    <message>
        <source>Store again</source>
        <translation>重新保存</translation>
    </message>
    <message>
        <source>Get it again</source>
        <translation>重新获取</translation>
    </message>
    <message>
        <source>Waiting for the phone user&apos;s decision</source>
        <translation>等待手机用户确认</translation>
    </message>
    <message>
        <source>The server refused the registration: {0}. Correct the marked field and press Register again.</source>
        <translation>服务器拒绝了注册：{0}。请修改标出的字段，然后再次点击“注册”。</translation>
    </message>
    <message>
        <source>The server wants a registration before it hands out a token: fill in the form and press Register.</source>
        <translation>服务器要求先注册才能发放令牌：请填写表单后点击“注册”。</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>状态时间线</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>QR code copied to the clipboard.</source>
        <translation>二维码已复制到剪贴板。</translation>
    </message>
    <message>
        <source>Mini-program code (*.png *.jpg)</source>
        <translation>小程序码 (*.png *.jpg)</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG image (*.svg)</source>
        <translation>PNG 图片 (*.png);;SVG 图片 (*.svg)</translation>
    </message>
    <message>
        <source>Save QR code</source>
        <translation>保存二维码</translation>
    </message>
    <message>
        <source>Saved to {0}</source>
        <translation>已保存到 {0}</translation>
    </message>
    <message>
        <source>Could not save the QR code: {0}</source>
        <translation>无法保存二维码：{0}</translation>
    </message>
    <message>
        <source>The profile&apos;s QR payload template is unusable: {0}</source>
        <translation>配置中的二维码内容模板不可用：{0}</translation>
    </message>
    <message>
        <source>Storing the token…</source>
        <translation>正在保存令牌…</translation>
    </message>
    <message>
        <source>the OS keyring</source>
        <translation>系统密钥环</translation>
    </message>
    <message>
        <source>a PLAIN FILE (insecure)</source>
        <translation>明文文件（不安全）</translation>
    </message>
    <message>
        <source>memory only</source>
        <translation>仅内存</translation>
    </message>
    <message>
        <source>Stored in {0} as {1}</source>
        <translation>已保存到{0}，标识为 {1}</translation>
    </message>
    <message>
        <source>Not stored (kept in memory only)</source>
        <translation>未保存（仅在内存中）</translation>
    </message>
    <message>
        <source>The mini-program code is not an image I can show.</source>
        <translation>小程序码不是可显示的图片。</translation>
    </message>
    <message>
        <source>Could not get the mini-program code: {0}</source>
        <translation>无法获取小程序码：{0}</translation>
    </message>
    <message>
        <source>Expires in {0:02d}:{1:02d}</source>
        <translation>{0:02d}:{1:02d} 后过期</translation>
    </message>
</context>
<context>
    <name>QrView</name>
    <message>
        <source>Press Start to show a QR code</source>
        <translation>点击“开始”显示二维码</translation>
    </message>
    <message>
        <source>Requesting a QR code…</source>
        <translation>正在获取二维码…</translation>
    </message>
    <message>
        <source>Scanned — confirm on your phone</source>
        <translation>已扫码 — 请在手机上确认</translation>
    </message>
    <message>
        <source>Logged in</source>
        <translation>登录成功</translation>
    </message>
    <message>
        <source>QR expired — click or press Enter to refresh</source>
        <translation>二维码已过期 — 点击或按 Enter 刷新</translation>
    </message>
    <message>
        <source>Login failed — click or press Enter for a new QR</source>
        <translation>登录失败 — 点击或按 Enter 获取新二维码</translation>
    </message>
    <message>
        <source>Couldn&apos;t get a QR — click or press Enter to retry</source>
        <translation>未能获取二维码 — 点击或按 Enter 重试</translation>
    </message>
    <message>
        <source>Cancelled — click or press Enter for a new QR</source>
        <translation>已取消 — 点击或按 Enter 获取新二维码</translation>
    </message>
</context>
<context>
    <name>RequestLogModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>业务码</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Response: {0} bytes
Request: {1} bytes</source>
        <translation>响应：{0} 字节
请求：{1} 字节</translation>
    </message>
    <message>
        <source>No envelope: no answer, an image, or not the API&apos;s JSON</source>
        <translation>没有响应结构：没有应答、应答是图片，或不是本 API 的 JSON</translation>
    </message>
</context>
<context>
    <name>RequestLogPanel</name>
    <message>
        <source>Request log</source>
        <translation>请求日志</translation>
    </message>
    <message>
        <source>Filter by method, path, status or endpoint…</source>
        <translation>按方法、路径、状态或接口筛选…</translation>
    </message>
    <message>
        <source>All requests</source>
        <translation>全部请求</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>仅错误</translation>
    </message>
    <message>
        <source>Export HAR…</source>
        <translation>导出 HAR…</translation>
    </message>
    <message>
        <source>Save the requests shown (filter applied) as a HAR 1.2 file</source>
        <translation>将当前显示的请求（已应用筛选）保存为 HAR 1.2 文件</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>响应</translation>
    </message>
    <message>
        <source>Copied as cURL (the credential as $QRLOGIN_TOKEN).</source>
        <translation>已复制为 cURL（凭据写作 $QRLOGIN_TOKEN）。</translation>
    </message>
    <message>
        <source>URL copied.</source>
        <translation>已复制 URL。</translation>
    </message>
    <message>
        <source>Response copied.</source>
        <translation>已复制响应。</translation>
    </message>
    <message>
        <source>Which requests to show</source>
        <translation>显示哪些请求</translation>
    </message>
    <message>
        <source>Filter requests</source>
        <translation>筛选请求</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求列表</translation>
    </message>
    <message>
        <source>Clear history…</source>
        <translation>清空历史…</translation>
    </message>
    <message>
        <source>Remove every request from the log and from the saved history</source>
        <translation>从日志和已保存的历史中删除所有请求</translation>
    </message>
    <message>
        <source>Headers</source>
        <comment>request</comment>
        <translation>请求头</translation>
    </message>
    <message>
        <source>Body</source>
        <comment>request</comment>
        <translation>请求体</translation>
    </message>
    <message>
        <source>Headers</source>
        <comment>response</comment>
        <translation>响应头</translation>
    </message>
    <message>
        <source>Body</source>
        <comment>response</comment>
        <translation>响应体</translation>
    </message>
    <message>
        <source>The log keeps the newest {0} requests; the newest {1} are saved (redacted) for the next start.</source>
        <translation>日志保留最新的 {0} 条请求；其中最新的 {1} 条（已脱敏）会保存，下次启动时仍可查看。</translation>
    </message>
    <message>
        <source>Copy as cURL</source>
        <translation>复制为 cURL</translation>
    </message>
    <message>
        <source>Copy URL</source>
        <translation>复制 URL</translation>
    </message>
    <message>
        <source>Copy response</source>
        <translation>复制响应</translation>
    </message>
    <message>
        <source>Open in its endpoint page</source>
        <translation>在对应接口页中打开</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s)</source>
        <translation>
            <numerusform>%n 条请求</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of {0} request(s) shown</source>
        <translation>
            <numerusform>显示 %n / {0} 条请求</numerusform>
        </translation>
    </message>
    <message>
        <source>Clear history</source>
        <translation>清空历史</translation>
    </message>
    <message numerus="yes">
        <source>Remove all %n request(s) from the log and from the saved history? This cannot be undone.</source>
        <translation>
            <numerusform>要从日志和已保存的历史中删除全部 %n 条请求吗？此操作无法撤销。</numerusform>
        </translation>
    </message>
    <message>
        <source>History cleared.</source>
        <translation>历史已清空。</translation>
    </message>
    <message>
        <source>Part of the saved history could not be read: {0}</source>
        <translation>已保存的历史有一部分无法读取：{0}</translation>
    </message>
    <message>
        <source>The saved history could not be read: {0}</source>
        <translation>无法读取已保存的历史：{0}</translation>
    </message>
    <message>
        <source>The request history could not be saved: {0}</source>
        <translation>无法保存请求历史：{0}</translation>
    </message>
    <message>
        <source>Not in the log (secret): {0}. Type it again on the endpoint page.</source>
        <translation>日志中没有（属于机密）：{0}。请在接口页中重新输入。</translation>
    </message>
    <message>
        <source>The log holds only the start of the body: the page keeps its own.</source>
        <translation>日志只保存了请求体的开头部分：接口页保留其原有的请求体。</translation>
    </message>
    <message>
        <source>Select a request above to see its headers and bodies.</source>
        <translation>在上方选择一条请求，查看它的请求头、请求体、响应头和响应体。</translation>
    </message>
    <message>
        <source>Select a request to see its details.</source>
        <translation>选择一条请求以查看详情。</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>无响应</translation>
    </message>
    <message>
        <source>{0} {1}
{2} · HTTP {3} · code {4} · {5:,.1f} ms · {6}</source>
        <translation>{0} {1}
{2} · HTTP {3} · 业务码 {4} · {5:,.1f} ms · {6}</translation>
    </message>
    <message>
        <source>Error: {0}</source>
        <translation>错误：{0}</translation>
    </message>
    <message>
        <source>(no body)</source>
        <translation>（无正文）</translation>
    </message>
    <message>
        <source>(no response)</source>
        <translation>（无响应）</translation>
    </message>
    <message>
        <source>(empty body)</source>
        <translation>（正文为空）</translation>
    </message>
    <message>
        <source>Nothing to export: no request matches the filter.</source>
        <translation>没有可导出的内容：没有符合筛选条件的请求。</translation>
    </message>
    <message>
        <source>Export HAR</source>
        <translation>导出 HAR</translation>
    </message>
    <message>
        <source>HAR files (*.har);;All files (*)</source>
        <translation>HAR 文件 (*.har);;所有文件 (*)</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n request(s) to {0}.</source>
        <translation>
            <numerusform>已导出 %n 条请求到 {0}。</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not write {0}: {1}</source>
        <translation>无法写入 {0}：{1}</translation>
    </message>
</context>
<context>
    <name>ResponseView</name>
    <message>
        <source>Image copied.</source>
        <translation>已复制图片。</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>已复制。</translation>
    </message>
    <message>
        <source>No request sent yet.</source>
        <translation>尚未发送请求。</translation>
    </message>
    <message>
        <source>Sending… {0:.1f} s</source>
        <translation>发送中… {0:.1f} 秒</translation>
    </message>
    <message>
        <source>Cancelled — the request was abandoned before an answer arrived.</source>
        <translation>已取消 — 请求在收到响应前被放弃。</translation>
    </message>
    <message>
        <source>{0} (an image, no envelope)</source>
        <translation>{0}（图片，无响应结构）</translation>
    </message>
    <message>
        <source>code {0}</source>
        <translation>业务码 {0}</translation>
    </message>
    <message>
        <source>error: {0}</source>
        <translation>错误：{0}</translation>
    </message>
    <message>
        <source>not the API&apos;s envelope</source>
        <translation>不是 API 的标准响应结构</translation>
    </message>
    <message>
        <source>no answer ({0})</source>
        <translation>无响应（{0}）</translation>
    </message>
    <message>
        <source>sent {0}</source>
        <translation>发送 {0}</translation>
    </message>
    <message>
        <source>received {0}</source>
        <translation>接收 {0}</translation>
    </message>
    <message>
        <source>Showing… {0}%</source>
        <translation>正在显示… {0}%</translation>
    </message>
    <message>
        <source>Formatting…</source>
        <translation>正在格式化…</translation>
    </message>
    <message>
        <source>The body as received (credentials masked).</source>
        <translation>收到的原始正文（凭据已遮盖）。</translation>
    </message>
    <message>
        <source>data is a string holding JSON; shown parsed.</source>
        <translation>data 是包含 JSON 的字符串，已解析显示。</translation>
    </message>
    <message>
        <source>The envelope&apos;s data.</source>
        <translation>响应结构中的 data。</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Send the same request again</source>
        <translation>再次发送同一请求</translation>
    </message>
    <message>
        <source>Wrap lines</source>
        <translation>自动换行</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the body as shown</source>
        <translation>复制当前显示的正文</translation>
    </message>
    <message>
        <source>Raw body</source>
        <translation>原始正文</translation>
    </message>
    <message>
        <source>Show the answer as received instead of the envelope&apos;s data</source>
        <translation>显示收到的原始响应，而不是响应结构中的 data</translation>
    </message>
    <message>
        <source>Reveal secrets</source>
        <translation>显示敏感值</translation>
    </message>
    <message>
        <source>Show values such as session_key unmasked</source>
        <translation>不遮盖 session_key 等敏感值</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>响应</translation>
    </message>
</context>
<context>
    <name>RevealButton</name>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>显示</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>appKey</source>
        <translation>appKey</translation>
    </message>
    <message>
        <source>Bearer credential</source>
        <translation>Bearer 凭据</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>Timeout (s)</source>
        <translation>超时（秒）</translation>
    </message>
    <message>
        <source>Fastest poll interval (s)</source>
        <translation>最短轮询间隔（秒）</translation>
    </message>
    <message>
        <source>Idle poll interval (s)</source>
        <translation>空闲轮询间隔（秒）</translation>
    </message>
    <message>
        <source>QR lifetime (s)</source>
        <translation>二维码有效期（秒）</translation>
    </message>
    <message>
        <source>Auto-refresh expired QRs</source>
        <translation>过期二维码自动刷新次数</translation>
    </message>
    <message>
        <source>QR payload template</source>
        <translation>二维码内容模板</translation>
    </message>
    <message>
        <source>Code table</source>
        <translation>业务码处理表</translation>
    </message>
    <message>
        <source>Stored credential</source>
        <translation>已保存的凭据</translation>
    </message>
    <message>
        <source>Asking the keyring…</source>
        <translation>正在查询系统密钥环…</translation>
    </message>
    <message>
        <source>kept in the OS keyring, never in the config file</source>
        <translation>保存在系统密钥环中，不写入配置文件</translation>
    </message>
    <message>
        <source>Show credential</source>
        <translation>显示凭据</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Polling</source>
        <translation>轮询</translation>
    </message>
    <message>
        <source>What the poller does when an answer carries this envelope code. Only the rows that differ from the built-in table are saved.</source>
        <translation>轮询应答的响应结构带有该业务码时，轮询器的处理方式。只保存与内置表不同的行。</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Verify certificates</source>
        <translation>校验证书</translation>
    </message>
    <message>
        <source>Placeholders: {signInKey}, {appKey}, {server}</source>
        <translation>占位符：{signInKey}、{appKey}、{server}</translation>
    </message>
    <message>
        <source>Add code</source>
        <translation>添加业务码</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Use this profile</source>
        <translation>使用此配置</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <source>Remove credential…</source>
        <translation>删除凭据…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Application</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Keyring</source>
        <translation>系统密钥环</translation>
    </message>
    <message>
        <source>The embedded sandbox: its address and credential are filled in at launch, on a free loopback port.</source>
        <translation>内置沙盒：启动时自动分配空闲的本机回环端口，并填入地址和凭据。</translation>
    </message>
    <message>
        <source>Copy credential</source>
        <translation>复制凭据</translation>
    </message>
    <message>
        <source>Copy the full credential to the clipboard</source>
        <translation>将完整凭据复制到剪贴板</translation>
    </message>
    <message>
        <source>Show the stored credential until another profile is selected</source>
        <translation>显示已保存的凭据，直到选择其他配置</translation>
    </message>
    <message>
        <source>Profiles</source>
        <translation>配置列表</translation>
    </message>
    <message>
        <source>filled in when the sandbox is up</source>
        <translation>沙盒启动后自动填入</translation>
    </message>
    <message>
        <source>A credential is stored in the keyring.</source>
        <translation>系统密钥环中已保存凭据。</translation>
    </message>
    <message>
        <source>type a new credential to replace the stored one</source>
        <translation>输入新凭据以替换已保存的凭据</translation>
    </message>
    <message>
        <source>No credential is stored.</source>
        <translation>未保存凭据。</translation>
    </message>
    <message>
        <source>the sandbox is not up yet</source>
        <translation>沙盒尚未启动</translation>
    </message>
    <message>
        <source>none stored</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>⚠ The bearer credential would travel unencrypted over http:// to a host that is not this machine. Use https://.</source>
        <translation>⚠ Bearer 凭据将通过 http:// 以明文发送到非本机的主机，请使用 https://。</translation>
    </message>
    <message>
        <source>New profile</source>
        <translation>新配置</translation>
    </message>
    <message>
        <source>the credential is only kept in memory</source>
        <translation>凭据仅保存在内存中</translation>
    </message>
    <message>
        <source>Remove credential</source>
        <translation>删除凭据</translation>
    </message>
    <message>
        <source>Remove the bearer credential of “{0}” from the keyring? Calls with this profile will be refused until you enter one again.</source>
        <translation>从系统密钥环中删除“{0}”的访问凭据？在重新输入凭据之前，使用此配置的调用都会被拒绝。</translation>
    </message>
    <message>
        <source>Delete profile</source>
        <translation>删除配置</translation>
    </message>
    <message>
        <source>Delete the profile “{0}” and its credential?</source>
        <translation>删除配置“{0}”及其凭据？</translation>
    </message>
    <message>
        <source>Export profiles</source>
        <translation>导出配置</translation>
    </message>
    <message>
        <source>Import profiles</source>
        <translation>导入配置</translation>
    </message>
    <message>
        <source>Credential copied to the clipboard.</source>
        <translation>凭据已复制到剪贴板。</translation>
    </message>
</context>
<context>
    <name>TestBenchPanel</name>
    <message>
        <source>Test bench</source>
        <translation>测试台</translation>
    </message>
    <message>
        <source>Include checks that register users (Confirm-Register)</source>
        <translation>包含会注册用户的检查（Confirm-Register）</translation>
    </message>
    <message>
        <source>Check expiry (waits one QR lifetime)</source>
        <translation>检查过期（需等待一个二维码有效期）</translation>
    </message>
    <message>
        <source>Checks the server of the active profile against the contract: every field rule at its boundaries, bearer authentication, the QR session lifecycle cell by cell, the envelope of every answer, the mini-program code images and JSConfig&apos;s signature. The same suite as {0}.</source>
        <translation>按接口约定检查当前配置的服务器：每条字段规则的边界值、Bearer 认证、二维码会话状态表的每一项、所有应答的响应结构、小程序码图片以及 JSConfig 签名。与 {0} 使用同一套检查。</translation>
    </message>
    <message>
        <source>jsapi_ticket (optional)</source>
        <translation>jsapi_ticket（可选）</translation>
    </message>
    <message>
        <source>jsapi_ticket (optional): with it, the check also verifies JSConfig&apos;s signature</source>
        <translation>jsapi_ticket（可选）：填写后还会校验 JSConfig 签名</translation>
    </message>
    <message>
        <source>jsapi_ticket</source>
        <translation>jsapi_ticket</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>检查项</translation>
    </message>
    <message>
        <source>Details of the selected check</source>
        <translation>所选检查项的详情</translation>
    </message>
    <message>
        <source>No checks run yet. Press Run check to test the server of the active profile; each check gets a row here.</source>
        <translation>尚未运行检查。点击“开始检查”测试当前配置的服务器，每项检查在此占一行。</translation>
    </message>
    <message>
        <source>Select a check to see what it sent, what came back and why it passed or failed.</source>
        <translation>选择一项检查，查看它发送了什么、收到了什么，以及通过或失败的原因。</translation>
    </message>
    <message>
        <source>Run check</source>
        <translation>开始检查</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Export JUnit…</source>
        <translation>导出 JUnit…</translation>
    </message>
    <message>
        <source>Export HTML…</source>
        <translation>导出 HTML…</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查项</translation>
    </message>
    <message>
        <source>Tests (rule or table cell)</source>
        <translation>对应的规则或状态表项</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>fail</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>Not connected: choose a profile in Profiles &amp; Settings.</source>
        <translation>未连接：请在“配置与设置”中选择一个配置。</translation>
    </message>
    <message>
        <source>Server: {0} · appKey {1}</source>
        <translation>服务器：{0} · appKey {1}</translation>
    </message>
    <message>
        <source>%v of %m checks</source>
        <translation>%v / %m 项检查</translation>
    </message>
    <message>
        <source>Not run yet</source>
        <translation>尚未运行</translation>
    </message>
    <message>
        <source>The check could not run: {0}</source>
        <translation>无法运行检查：{0}</translation>
    </message>
    <message>
        <source>{0} passed · {1} failed · {2} n/a</source>
        <translation>{0} 项通过 · {1} 项失败 · {2} 项不适用</translation>
    </message>
    <message>
        <source>stopped after {0} of {1}</source>
        <translation>已在 {0}/{1} 项后停止</translation>
    </message>
    <message>
        <source>Tests: {0}</source>
        <translation>测试：{0}</translation>
    </message>
    <message>
        <source>Result: {0}</source>
        <translation>结果：{0}</translation>
    </message>
    <message>
        <source>— request {0} —</source>
        <translation>— 请求 {0} —</translation>
    </message>
    <message>
        <source>— answer {0} —</source>
        <translation>— 响应 {0} —</translation>
    </message>
    <message>
        <source>Could not write {0}: {1}</source>
        <translation>无法写入 {0}：{1}</translation>
    </message>
    <message>
        <source>Export JUnit XML</source>
        <translation>导出 JUnit XML</translation>
    </message>
    <message>
        <source>Export HTML report</source>
        <translation>导出 HTML 报告</translation>
    </message>
    <message>
        <source>JUnit XML (*.xml)</source>
        <translation>JUnit XML (*.xml)</translation>
    </message>
    <message>
        <source>HTML page (*.html)</source>
        <translation>HTML 页面 (*.html)</translation>
    </message>
</context>
<context>
    <name>TimelineView</name>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Entered at</source>
        <translation>进入时间</translation>
    </message>
    <message>
        <source>Duration (ms)</source>
        <translation>耗时（ms）</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Attempt {0}</source>
        <translation>第 {0} 次尝试</translation>
    </message>
</context>
<context>
    <name>TokenCard</name>
    <message>
        <source>Token type</source>
        <translation>令牌类型</translation>
    </message>
    <message>
        <source>Expires in</source>
        <translation>剩余有效期</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <source>No token yet: complete a QR login.</source>
        <translation>暂无令牌：请先完成扫码登录。</translation>
    </message>
    <message>
        <source>Show the whole access token on screen</source>
        <translation>在屏幕上显示完整的访问令牌</translation>
    </message>
    <message>
        <source>Reveal the access token</source>
        <translation>显示访问令牌</translation>
    </message>
    <message>
        <source>Access token (redacted)</source>
        <translation>访问令牌（已遮蔽）</translation>
    </message>
    <message>
        <source>Claims of the token (not verified)</source>
        <translation>令牌声明（未验证）</translation>
    </message>
    <message>
        <source>{0}…({1} chars)…{2}</source>
        <translation>{0}…（{1} 个字符）…{2}</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>at {0}</source>
        <comment>when the token expires</comment>
        <translation>于 {0} 过期</translation>
    </message>
</context>
<context>
    <name>TokensModel</name>
    <message>
        <source>Server (profile)</source>
        <translation>服务器（配置）</translation>
    </message>
    <message>
        <source>appKey</source>
        <translation>appKey</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>Obtained</source>
        <translation>获取时间</translation>
    </message>
    <message>
        <source>Expires in</source>
        <translation>剩余有效期</translation>
    </message>
    <message>
        <source>Token (redacted)</source>
        <translation>令牌（已遮盖）</translation>
    </message>
    <message>
        <source>{0} ({1})</source>
        <comment>a server and its profile</comment>
        <translation>{0}（{1}）</translation>
    </message>
    <message>
        <source>{0}…({1} chars)…{2}</source>
        <translation>{0}…（{1} 个字符）…{2}</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>Kept in memory only: this token is lost when the app exits.</source>
        <translation>仅保存在内存中：应用退出后此令牌将丢失。</translation>
    </message>
    <message>
        <source>Expires at {0}</source>
        <translation>过期时间：{0}</translation>
    </message>
    <message>
        <source>Select the row and use Reveal or Copy token to see the full token.</source>
        <translation>选中该行，点击“显示”或“复制令牌”查看完整令牌。</translation>
    </message>
</context>
<context>
    <name>TokensPanel</name>
    <message>
        <source>Stored tokens</source>
        <translation>已保存的令牌</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Selected token</source>
        <translation>选中的令牌</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>标识</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Obtained</source>
        <translation>获取时间</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>过期时间</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Copy token</source>
        <translation>复制令牌</translation>
    </message>
    <message>
        <source>Copy the full token to the clipboard</source>
        <translation>将完整令牌复制到剪贴板</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>JWT claims (unverified)</source>
        <translation>JWT 声明（未验证签名）</translation>
    </message>
    <message>
        <source>Stored in: {0}</source>
        <translation>保存于：{0}</translation>
    </message>
    <message>
        <source>Keyring: checking…</source>
        <translation>系统密钥环：检测中…</translation>
    </message>
    <message numerus="yes">
        <source>⚠ %n token(s) are kept in memory only and will be lost when the app exits: the keyring could not store them. Unlock or install a keyring (gnome-keyring, KWallet), then log in again.</source>
        <translation>
            <numerusform>⚠ 有 %n 个令牌仅保存在内存中，应用退出后将丢失：系统密钥环无法保存它们。请解锁或安装密钥环服务（gnome-keyring、KWallet）后重新登录。</numerusform>
        </translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Could not refresh</source>
        <translation>刷新失败</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n 个令牌</numerusform>
        </translation>
    </message>
    <message>
        <source>No stored tokens</source>
        <translation>没有已保存的令牌</translation>
    </message>
    <message>
        <source>Could not list the stored tokens. {0}</source>
        <translation>无法列出已保存的令牌。{0}</translation>
    </message>
    <message>
        <source>Show the full token until another row is selected</source>
        <translation>显示完整令牌，直到选中其他行</translation>
    </message>
    <message>
        <source>Select a token above to see its details.</source>
        <translation>在上方选择一个令牌查看详情。</translation>
    </message>
    <message>
        <source>{0} — {1} ({2} s lifetime)</source>
        <translation>{0} — {1}（有效期 {2} 秒）</translation>
    </message>
    <message>
        <source>The full token is shown until you select another row or press Hide.</source>
        <translation>完整令牌将一直显示，直到你选中其他行或点击“隐藏”。</translation>
    </message>
    <message>
        <source>Token copied to the clipboard ({0}).</source>
        <translation>令牌已复制到剪贴板（{0}）。</translation>
    </message>
    <message>
        <source>Delete token</source>
        <translation>删除令牌</translation>
    </message>
    <message>
        <source>Delete the stored token for {0}?

It is removed from the keyring; a new one needs another QR login.</source>
        <translation>删除 {0} 的已保存令牌？

它将从系统密钥环中移除；需要重新扫码登录才能获得新令牌。</translation>
    </message>
    <message>
        <source>Deleted the token for {0}.</source>
        <translation>已删除 {0} 的令牌。</translation>
    </message>
    <message>
        <source>Could not delete the token for {0}. {1}</source>
        <translation>无法删除 {0} 的令牌。{1}</translation>
    </message>
</context>
<context>
    <name>ViewMenu</name>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>Could not save the settings: {0}</source>
        <translation>无法保存设置：{0}</translation>
    </message>
</context>
</TS>
