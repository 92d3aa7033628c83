// Follows through Tencent's Web SDK against Natter: A follows B (and an unknown user), B hears
// of a new fan and follows back, both lists and counts agree, and A's unfollow reaches B. Run by
// tests/it/web_sdk_follows.rs; arguments, env and the one-line JSON report on stdout as in
// two-users.mjs:
//
//   node follows.mjs <proxy ws://127.0.0.1:PORT> <SDKAppID> <userA> <sigA> <userB> <sigB>
import { A, B, SIG_A, SIG_B, check, eventually, loginWatching, report, step, watchedEvent } from './harness.mjs';

const KINDS = ['MY_FOLLOWERS_LIST_UPDATED', 'MY_FOLLOWING_LIST_UPDATED', 'MUTUAL_FOLLOWERS_LIST_UPDATED'];

const login = (userID, userSig) => loginWatching(userID, userSig, KINDS);

/// The user IDs of an event's `userInfoList` (objects when added, IDs when removed).
const ids = (event) => event.userInfoList.map((u) => (typeof u === 'string' ? u : u.userID));

async function main() {
  const a = await login(A, SIG_A);
  const b = await login(B, SIG_B);

  await step('follows are switched on by the purchase bits', async () => {
    // The SDK refuses follows (3122) until it has Natter's purchase bits, which it asks for
    // after the login.
    for (const u of [a, b]) {
      await eventually(`${u.userID}: the SDK may use follows`, async () => {
        const res = await u.chat.getUserFollowInfo().catch((e) => e);
        return { ok: res.code === 0, value: res, seen: res };
      });
    }
    await b.chat.updateMyProfile({ nick: 'Bee' });
    return {};
  });

  await step('A follows B (and an unknown user); B hears of a new fan', async () => {
    const res = await a.chat.followUser([B, 'nobody_here']);
    const codes = Object.fromEntries(res.data.map((r) => [r.userID, r.resultCode]));
    check(codes[B] === 0, 'B is followed', res.data);
    const fan = await watchedEvent(b, 'MY_FOLLOWERS_LIST_UPDATED', (d) => d.isAdd && ids(d).includes(A), 'A among the fans');
    check(fan.userInfoList[0].followTime > 0, 'the event carries the follow time', fan);
    return { codes };
  });

  await step('B follows back; A hears of a fan and of a mutual follow', async () => {
    await b.chat.followUser([A]);
    await watchedEvent(a, 'MY_FOLLOWERS_LIST_UPDATED', (d) => d.isAdd && ids(d).includes(B), 'B among the fans');
    await watchedEvent(a, 'MUTUAL_FOLLOWERS_LIST_UPDATED', (d) => d.isAdd && ids(d).includes(B), 'B mutual');
    const types = await a.chat.checkFollowType([B, 'nobody_here']);
    const byUser = Object.fromEntries(types.data.map((t) => [t.userID, t.followType]));
    check(byUser[B] === 3 && byUser.nobody_here === 0, 'A and B follow each other', types.data);
    return { types: byUser };
  });

  await step('lists and counts agree', async () => {
    const info = await a.chat.getUserFollowInfo();
    const mine = info.data[0];
    check(mine.followersCount === 1 && mine.followingCount === 1 && mine.mutualFollowersCount === 1, "A's counts", info.data);
    const theirs = await a.chat.getUserFollowInfo([B]);
    check(theirs.data[0].followersCount === 1, "B's counts", theirs.data);
    const fans = await a.chat.getMyFollowersList();
    check(fans.data.resultList.length === 1 && fans.data.resultList[0].userID === B, 'B is the one fan', fans.data);
    check(fans.data.resultList[0].nick === 'Bee', "with B's nickname", fans.data.resultList[0]);
    check(fans.data.nextCursor === '', 'one page', fans.data.nextCursor);
    const following = await a.chat.getMyFollowingList();
    check(following.data.resultList.map((u) => u.userID).join() === B, 'A follows B', following.data);
    const mutual = await a.chat.getMutualFollowersList();
    check(mutual.data.resultList.map((u) => u.userID).join() === B, 'A and B are mutual', mutual.data);
    return { counts: mine, fan: fans.data.resultList[0] };
  });

  await step("A unfollows B; B's fans and mutual list lose A", async () => {
    await a.chat.unfollowUser([B]);
    await watchedEvent(b, 'MY_FOLLOWERS_LIST_UPDATED', (d) => !d.isAdd && ids(d).includes(A), 'A no longer a fan');
    await watchedEvent(b, 'MUTUAL_FOLLOWERS_LIST_UPDATED', (d) => !d.isAdd && ids(d).includes(A), 'A no longer mutual');
    const following = await b.chat.getMyFollowingList();
    check(following.data.resultList.map((u) => u.userID).join() === A, 'B still follows A', following.data);
    const types = await b.chat.checkFollowType([A]);
    return { followType: types.data[0].followType };
  });

  report(true);
}

main().catch((e) => report(false, e));
