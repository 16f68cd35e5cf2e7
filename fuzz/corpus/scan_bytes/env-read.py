client = Transcodely(api_key=os.environ["TRANSCODELY_API_KEY"])
