curl -H "Authorization: Bearer {{API_KEY}}" https://api.example.net
# credlint:allow
