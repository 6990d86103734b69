<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>EndpointPanel</name>
    <message numerus="yes">
        <source>Not sent: %n problem(s) — see the messages next to the fields, or turn off &quot;Validate before sending&quot;.</source>
        <translation>
            <numerusform>Not sent: %n problem — see the message next to the field, or turn off &quot;Validate before sending&quot;.</numerusform>
            <numerusform>Not sent: %n problems — see the messages next to the fields, or turn off &quot;Validate before sending&quot;.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LoadPanel</name>
    <message numerus="yes">
        <source>Exported %n file(s)</source>
        <translation>
            <numerusform>Exported %n file</numerusform>
            <numerusform>Exported %n files</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QrLoginPanel</name>
    <message numerus="yes">
        <source>QR refreshed, {0} of %n</source>
        <translation>
            <numerusform>QR refreshed, {0} of %n</numerusform>
            <numerusform>QR refreshed, {0} of %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RequestLogPanel</name>
    <message numerus="yes">
        <source>%n request(s)</source>
        <translation>
            <numerusform>%n request</numerusform>
            <numerusform>%n requests</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of {0} request(s) shown</source>
        <translation>
            <numerusform>%n of {0} request shown</numerusform>
            <numerusform>%n of {0} requests shown</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Remove all %n request(s) from the log and from the saved history? This cannot be undone.</source>
        <translation>
            <numerusform>Remove the %n request from the log and from the saved history? This cannot be undone.</numerusform>
            <numerusform>Remove all %n requests from the log and from the saved history? This cannot be undone.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n request(s) to {0}.</source>
        <translation>
            <numerusform>Exported %n request to {0}.</numerusform>
            <numerusform>Exported %n requests to {0}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TokensPanel</name>
    <message numerus="yes">
        <source>⚠ %n token(s) are kept in memory only and will be lost when the app exits: the keyring could not store them. Unlock or install a keyring (gnome-keyring, KWallet), then log in again.</source>
        <translation>
            <numerusform>⚠ %n token is kept in memory only and will be lost when the app exits: the keyring could not store it. Unlock or install a keyring (gnome-keyring, KWallet), then log in again.</numerusform>
            <numerusform>⚠ %n tokens are kept in memory only and will be lost when the app exits: the keyring could not store them. Unlock or install a keyring (gnome-keyring, KWallet), then log in again.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
</context>
</TS>
